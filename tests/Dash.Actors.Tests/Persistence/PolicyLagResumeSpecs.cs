// With dash.sampling.max-policy-lag = 1 a run resumes exactly: from a real SQLite journal and checkpoints, the samplers
// start again with the checkpoint before the last (their weights one step behind), after an interruption, a learner
// failure or a damaged checkpoint.
using Akka.Actor;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.TestKit;

namespace Dash.Actors.Tests.Persistence;

public sealed class PolicyLagResumeSpecs : IDisposable
{
    private const string Lag = "sampling.max-policy-lag=1";
    private readonly RunHarness _h = new();

    public void Dispose() => _h.Dispose();

    private List<object> RunToEnd(string runId, params string[] sets) =>
        _h.RunToEnd(() => ActorSystem.Create("dash", _h.SqliteConfig()), runId, [Lag, .. sets]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Should_continue_an_interrupted_run_to_the_same_final_state_with_every_step_committed_once(int stopAfter)
    {
        var straight = RunToEnd("straight");

        using (var system = ActorSystem.Create("dash", _h.SqliteConfig()))
        {
            var inbox = _h.Start(system, "interrupted", RunHarness.Settings(Lag), new FakeEngineFactory());
            RunHarness.Until(inbox, m => m is StepReport s && s.Step == stopAfter);
            RunHarness.Shutdown(system); // Mid-run: the next step is being learned and the one after it sampled.
        }
        var resumed = RunToEnd("interrupted");

        Assert.IsType<TrainingFinished>(resumed[^1]);
        using (var reader = ActorSystem.Create("dash", _h.SqliteConfig()))
        {
            Assert.Equal([0L, 1, 2, 3, 4, 5], Journals.Read(reader, "interrupted").OfType<StepCommitted>().Select(e => e.Step));
            var evals = Journals.Read(reader, "interrupted").OfType<EvalRecorded>().Select(e => (e.Step, e.Correct)).Distinct();
            var straightEvals = straight.OfType<EvalReport>().Select(e => (e.Step, e.Correct));
            Assert.Equal(straightEvals, evals);
            RunHarness.Shutdown(reader);
        }
        Assert.Equal(_h.FinalLearnerState("straight"), _h.FinalLearnerState("interrupted"));
        Assert.NotEqual(_h.FinalLearnerState("straight"), OnPolicyFinalState());
    }

    private string OnPolicyFinalState()
    {
        _h.RunToEnd(() => ActorSystem.Create("dash", _h.SqliteConfig()), "on-policy");
        return _h.FinalLearnerState("on-policy");
    }

    [Fact]
    public void Should_continue_from_the_last_committed_step_when_the_learner_fails()
    {
        RunToEnd("reference");
        using var system = ActorSystem.Create("dash", _h.SqliteConfig());
        var seen = RunHarness.Until(_h.Start(system, "learner-fails", RunHarness.Settings(Lag), new FakeEngineFactory { LearnerFailsAtVersion = 3 }), RunHarness.IsEnd);
        RunHarness.Shutdown(system);

        Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Contains(seen.OfType<TrainingWarning>(), w => w.Message.Contains("restarting", StringComparison.Ordinal));
        Assert.Equal(_h.FinalLearnerState("reference"), _h.FinalLearnerState("learner-fails"));
    }

    [Fact]
    public void Should_fall_back_two_checkpoints_when_the_one_before_the_last_is_damaged()
    {
        RunToEnd("reference", "run.steps=4");
        RunToEnd("damaged", "run.steps=3");
        // The last checkpoint (step-3) is intact, but the samplers' weights for step 3 are step-2's: damaged.
        File.AppendAllText(Path.Combine(_h.Checkpoints("damaged").PathOf(CheckpointStore.NameOf(2)), "learner.txt"), " ");

        var resumed = RunToEnd("damaged", "run.steps=4");

        var warning = Assert.Single(resumed.OfType<TrainingWarning>());
        Assert.Contains("cannot be resumed with max-policy-lag = 1", warning.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 2, 3], resumed.OfType<StepReport>().Select(s => s.Step));
        Assert.Equal(_h.FinalLearnerState("reference"), _h.FinalLearnerState("damaged"));
    }

    [Fact]
    public void Should_keep_one_more_checkpoint_than_keep_last_so_that_a_run_can_resume()
    {
        RunToEnd("retained", "run.steps=6", "run.eval-problems=0");

        var kept = Directory.GetDirectories(_h.Checkpoints("retained").Root).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["step-000004", "step-000005", "step-000006"], kept);
    }
}
