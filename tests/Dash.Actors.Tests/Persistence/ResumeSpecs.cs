// Exact resume from a real SQLite journal and checkpoints: interruption, changed configuration, corrupted checkpoints.
using Akka.Actor;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.TestKit;

namespace Dash.Actors.Tests.Persistence;

public sealed class ResumeSpecs : IDisposable
{
    private readonly RunHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string FinalLearnerState(string runId) => _h.FinalLearnerState(runId);

    private List<object> RunToEnd(string runId, params string[] sets) =>
        _h.RunToEnd(() => ActorSystem.Create("dash", _h.SqliteConfig()), runId, sets);

    private static void Shutdown(ActorSystem system) => RunHarness.Shutdown(system);

    [Fact]
    public void Should_continue_an_interrupted_run_to_the_same_final_state_with_every_step_committed_once()
    {
        RunToEnd("straight");

        var firstPart = new List<object>();
        using (var system = ActorSystem.Create("dash", _h.SqliteConfig()))
        {
            var inbox = _h.Start(system, "interrupted", RunHarness.Settings(), new FakeEngineFactory());
            firstPart = RunHarness.Until(inbox, m => m is StepReport { Step: 2 });
            Shutdown(system); // As abrupt as an in-process stop gets: mid-step 3.
        }
        var secondPart = RunToEnd("interrupted");

        Assert.IsType<TrainingFinished>(secondPart[^1]);
        Assert.Contains(secondPart.OfType<StepReport>(), s => s.Step == 5);
        using (var reader = ActorSystem.Create("dash", _h.SqliteConfig()))
        {
            var committed = Journals.Read(reader, "interrupted").OfType<StepCommitted>().Select(e => e.Step);
            Assert.Equal([0L, 1, 2, 3, 4, 5], committed); // every step exactly once, in order
            Shutdown(reader);
        }
        Assert.Equal(FinalLearnerState("straight"), FinalLearnerState("interrupted"));
    }

    [Fact]
    public void Should_continue_from_the_last_committed_step_when_the_learner_fails()
    {
        RunToEnd("reference");
        using var system = ActorSystem.Create("dash", _h.SqliteConfig());
        var seen = RunHarness.Until(_h.Start(system, "learner-fails", RunHarness.Settings(), new FakeEngineFactory { LearnerFailsAtVersion = 3 }), RunHarness.IsEnd);
        Shutdown(system);

        Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Contains(seen.OfType<TrainingWarning>(), w => w.Message.Contains("restarting", StringComparison.Ordinal));
        Assert.Equal([0L, 1, 2, 3, 4, 5], seen.OfType<StepReport>().Select(s => s.Step));
        Assert.Equal(FinalLearnerState("reference"), FinalLearnerState("learner-fails"));
    }

    [Fact]
    public void Should_refuse_a_changed_configuration_naming_the_keys_unless_allowed()
    {
        RunToEnd("changed", "run.steps=2");

        var refused = RunToEnd("changed", "run.steps=3", "sampling.temperature=0.5", "advantage.filter-tau=0.2");
        var failed = Assert.IsType<TrainingFailed>(refused[^1]);
        Assert.Contains("dash.sampling.temperature", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("dash.advantage.filter-tau", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("dash.run.steps", failed.Reason, StringComparison.Ordinal);

        var extended = RunToEnd("changed", "run.steps=3");
        Assert.Equal([2L], extended.OfType<StepReport>().Select(s => s.Step));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("delete")]
    public void Should_detect_a_damaged_checkpoint_and_fall_back_to_the_previous_one(string damage)
    {
        RunToEnd("reference", "run.steps=4");
        RunToEnd("damaged", "run.steps=3");
        var file = Path.Combine(_h.Checkpoints("damaged").PathOf(CheckpointStore.NameOf(3)), "learner.txt");
        switch (damage)
        {
            case "flip":
                var bytes = File.ReadAllBytes(file);
                bytes[0] ^= 0x01;
                File.WriteAllBytes(file, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(file, File.ReadAllBytes(file)[..^2]);
                break;
            default:
                Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
                break;
        }

        var resumed = RunToEnd("damaged", "run.steps=4");

        var warning = Assert.Single(resumed.OfType<TrainingWarning>());
        Assert.Contains("the checkpoint after step 2", warning.Message, StringComparison.Ordinal);
        Assert.Equal([2L, 3], resumed.OfType<StepReport>().Select(s => s.Step));
        Assert.Equal(FinalLearnerState("reference"), FinalLearnerState("damaged"));
    }

    [Fact]
    public void Should_keep_the_last_checkpoints_and_the_best_one()
    {
        RunToEnd("retained", "run.steps=6", "run.eval-every=1");
        var kept = Directory.GetDirectories(_h.Checkpoints("retained").Root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("step-000005", kept);
        Assert.Contains("step-000006", kept);
        Assert.InRange(kept.Length, 2, 3);
        Assert.DoesNotContain(kept, k => k!.StartsWith(".tmp", StringComparison.Ordinal));
    }
}
