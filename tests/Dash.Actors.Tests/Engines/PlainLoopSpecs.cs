// The actor pipeline does exactly the plain loop's work (both follow StepPlan): with the same seed, final weights are bit-identical.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Engines.Torch;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Model.Tokenizers;
using Dash.Tasks.Arithmetic;
using Dash.Tasks.Prompts;

namespace Dash.Actors.Tests.Engines;

public sealed class PlainLoopSpecs() : Akka.TestKit.Xunit2.TestKit(Pipeline.PipelineHarness.Config), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-plain-").FullName;

    /// <summary>Real sampler and learner; a scorer that rewards completions by a hash of their text, so a random model
    /// gets mixed rewards (non-zero advantages, real gradients).</summary>
    private sealed class HashRewarded(DashSettings settings) : IEngineFactory
    {
        private readonly TorchEngineFactory _inner = new(settings, new PolicyModels(settings.Model, settings.Run.Seed));
        public IPolicySampler CreateSampler(int samplerId) => _inner.CreateSampler(samplerId);
        public IPolicyLearner CreateLearner() => _inner.CreateLearner();
        public IRewardScorer CreateScorer() => new HashScorer();
    }

    private sealed class HashScorer : IRewardScorer
    {
        public (float Reward, bool Correct) Score(string goldAnswer, string completion)
        {
            var ok = (uint)Seeds.Mix((ulong)completion.Aggregate(17L, (h, c) => h * 31 + c)) % 3 == 0;
            return (ok ? 1 : 0, ok);
        }
    }

    void IDisposable.Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        Shutdown();
    }

    [Theory]
    [InlineData("dash")]
    [InlineData("dash-nogf")]
    [InlineData("grpo")]
    [InlineData("ppo-mini")]
    [InlineData("sft")]
    [InlineData("dash", "pipeline.overlap=off")]
    [InlineData("dash-nogf", "sampling.samplers=3")]
    public void Should_reach_bit_identical_weights_through_the_actors_and_the_plain_loop(string preset, params string[] sets)
    {
        // Overlap is on by default: the learner starts on the first shard's micro-batches while the rest is sampled.
        var settings = ConfigLoader.Load(algorithm: preset, sets: [
            "run.steps=3", "run.eval-problems=0", "sampling.prompts-per-step=4", "sampling.group-size=4", "sampling.batch-size=8",
            "sampling.max-new-tokens=12", "learning.micro-batch-size=4", "learning.learning-rate=1e-2", .. sets,
        ]).Settings;
        var data = new TaskTrainingData(new ArithmeticTask(), CharTokenizer.Default, new RawPrompt(), 64);

        var viaActors = new CheckpointStore(Path.Combine(_dir, "actors"));
        var probe = CreateTestProbe();
        Sys.ActorOf(TrainingCoordinatorActor.Props(settings, data, new HashRewarded(settings), probe.Ref, new RunContext(preset + sets.Length, "", viaActors, true)));
        var steps = new List<StepReport>();
        probe.FishForMessage(m =>
        {
            if (m is StepReport s) steps.Add(s);
            return m is TrainingFinished;
        }, TimeSpan.FromSeconds(300)); // Seconds on an idle machine; generous for a loaded one.

        var plainStore = new CheckpointStore(Path.Combine(_dir, "plain"));
        using var learner = PlainLoop.Train(settings, data, new HashRewarded(settings), plainStore);

        Assert.Contains(steps, s => s.Kept > 0 && s.GradNorm > 0); // real learning happened
        var last = CheckpointStore.NameOf(3); // after the third step
        Assert.Equal(CheckpointStore.Sha256Of(Path.Combine(plainStore.PathOf(last), "model.safetensors")),
                     CheckpointStore.Sha256Of(Path.Combine(viaActors.PathOf(last), "model.safetensors")));
        Assert.Equal(CheckpointStore.Sha256Of(Path.Combine(plainStore.PathOf(last), TorchPolicyLearner.OptimizerFile)),
                     CheckpointStore.Sha256Of(Path.Combine(viaActors.PathOf(last), TorchPolicyLearner.OptimizerFile)));
    }
}
