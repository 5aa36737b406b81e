// The actor pipeline and the plain loop do the same work (both follow StepPlan): with fake engines, the same final learner.
using Dash.Actors.Algorithm;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Pipeline;

public sealed class PlainLoopEquivalenceSpecs() : Akka.TestKit.Xunit2.TestKit(PipelineHarness.Config), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-equiv-").FullName;

    void IDisposable.Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        Shutdown();
    }

    private static DashSettings Settings(string preset, params string[] sets) => ConfigLoader.Load(algorithm: preset, sets: [
        "run.steps=3", "run.eval-problems=0", "sampling.prompts-per-step=8", "sampling.group-size=4", "sampling.batch-size=8",
        "learning.micro-batch-size=4", .. sets,
    ]).Settings;

    /// <summary>The learner's state after the last step (its skill's bits and its version), as the checkpoint holds it.</summary>
    private static string LearnerAfter(CheckpointStore store, long steps) =>
        File.ReadAllText(Path.Combine(store.PathOf(CheckpointStore.NameOf(steps)), "learner.txt"));

    private (string Actors, string Plain, List<StepReport> Steps) TrainBothWays(DashSettings settings, string name)
    {
        var viaActors = new CheckpointStore(Path.Combine(_dir, name, "actors"));
        var probe = CreateTestProbe();
        Sys.ActorOf(TrainingCoordinatorActor.Props(settings, FakeData.BuiltIn, new FakeEngineFactory { PpoExpected = true }, probe.Ref,
            new RunContext(name, "", viaActors, true)));
        var steps = new List<StepReport>();
        probe.FishForMessage(m =>
        {
            if (m is StepReport s) steps.Add(s);
            return m is TrainingFinished or TrainingFailed;
        }, TimeSpan.FromSeconds(60));
        var plain = new CheckpointStore(Path.Combine(_dir, name, "plain"));
        using var learner = PlainLoop.Train(settings, FakeData.BuiltIn, new FakeEngineFactory { PpoExpected = true }, plain);
        var last = settings.Run.Steps;
        return (File.Exists(Path.Combine(viaActors.PathOf(CheckpointStore.NameOf(last)), "learner.txt")) ? LearnerAfter(viaActors, last) : "(no checkpoint)",
            LearnerAfter(plain, last), steps);
    }

    [Theory]
    [InlineData("dash")]
    [InlineData("grpo")]
    [InlineData("ppo-mini")]
    [InlineData("grpo", "learning.mini-batches=2")]
    public void Should_leave_the_learner_exactly_where_the_plain_loop_does(string preset, params string[] sets)
    {
        var settings = Settings(preset, sets);

        var (actors, plain, steps) = TrainBothWays(settings, preset + string.Concat(sets).Replace('=', '-'));

        Assert.Equal(settings.Run.Steps, steps.Count);
        Assert.Equal(plain, actors);
        Assert.All(steps, s => Assert.Equal(settings.Sampling.PromptsPerStep * settings.Sampling.GroupSize, s.Samples));
    }
}
