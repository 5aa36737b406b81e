// The actor pipeline and the plain loop do the same work (both follow StepPlan): with fake engines, the same final learner,
// overlapped or sequential, with one sampler or three finishing their shards out of order, on-policy or one step behind.
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
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

    /// <summary>Shard k of a step sleeps longer the earlier it comes (shard 0 longest), so several samplers finish them in reverse.</summary>
    private static InstrumentedEngines Staggered() => new(new FakeEngineFactory { PpoExpected = true }) { DelayMs = first => (8 - first) * 15 };

    private (string Actors, string Plain, List<StepReport> Steps) TrainBothWays(DashSettings settings, IEngineFactory engines, string name)
    {
        var viaActors = new CheckpointStore(Path.Combine(_dir, name, "actors"));
        var probe = CreateTestProbe();
        Sys.ActorOf(TrainingCoordinatorActor.Props(settings, FakeData.BuiltIn, engines, probe.Ref, new RunContext(name, "", viaActors, true)));
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
    [InlineData("dash", "on", 1)]
    [InlineData("dash", "on", 3)]
    [InlineData("dash", "off", 3)]
    [InlineData("dash-nogf", "on", 3)]
    [InlineData("dash", "on", 3, "learning.micro-batch-tokens=40")]
    [InlineData("dash", "on", 3, "learning.loss-aggregation=token-mean")]
    [InlineData("grpo", "on", 3)]
    [InlineData("grpo", "off", 1)]
    [InlineData("ppo-mini", "on", 3)]
    [InlineData("ppo-multi", "off", 1)]
    [InlineData("grpo", "on", 1, "learning.mini-batches=2")]
    [InlineData("sft", "on", 1)]
    [InlineData("dash", "on", 1, "sampling.max-policy-lag=1")]
    [InlineData("dash", "on", 3, "sampling.max-policy-lag=1")]
    [InlineData("dash", "off", 3, "sampling.max-policy-lag=1")]
    [InlineData("dash", "on", 3, "sampling.max-policy-lag=1", "learning.loss-aggregation=token-mean")]
    [InlineData("ppo-multi", "on", 3, "sampling.max-policy-lag=1")]
    public void Should_leave_the_learner_exactly_where_the_plain_loop_does(string preset, string overlap, int samplers, params string[] sets)
    {
        var settings = Settings(preset, [$"pipeline.overlap={overlap}", $"sampling.samplers={samplers}", .. sets]);
        var engines = Staggered();

        var (actors, plain, steps) = TrainBothWays(settings, engines, $"{preset}-{overlap}-{samplers}{string.Concat(sets).Replace('=', '-')}");

        Assert.Equal(settings.Run.Steps, steps.Count);
        Assert.Equal(plain, actors);
        var plan = StepPlan.For(settings, 0);
        Assert.All(steps, s => Assert.Equal(plan.Samples ? plan.SamplesPerStep : plan.PromptsPerStep, s.Samples));
        if (samplers > 1 && settings.Sampling.Preemptive) Assert.Contains(Enumerable.Range(0, 3), step => !engines.FinishOrder(step).SequenceEqual(engines.FinishOrder(step).Order()));
    }
}
