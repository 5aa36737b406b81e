// The real learner behind the accumulator actor: micro-batch gradients add up to the full-batch gradient.
using Akka.Actor;
using Dash.Actors.Engines;
using Dash.Actors.Engines.Torch;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Engines;

public sealed class TorchLearnerSpecs() : Akka.TestKit.Xunit2.TestKit(Pipeline.PipelineHarness.Config)
{
    private sealed class KeepLearner(DashSettings settings) : IEngineFactory
    {
        private readonly TorchEngineFactory _inner = new(settings, new PolicyModels(settings.Model, settings.Run.Seed));
        public TorchPolicyLearner? Learner { get; private set; }
        public IPolicySampler CreateSampler(int samplerId) => _inner.CreateSampler(samplerId);
        public IPolicyLearner CreateLearner() => Learner = (TorchPolicyLearner)_inner.CreateLearner();
        public IRewardScorer CreateScorer() => _inner.CreateScorer();
    }

    private static Rollout[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new Rollout(i / 4, $"p{i}", "1",
            [1, .. Enumerable.Range(0, random.Next(3, 12)).Select(_ => random.Next(4, 99))],
            [.. Enumerable.Range(0, random.Next(1, 20)).Select(_ => random.Next(4, 99)), 2], [], FinishReason.Eos, "", 0,
            (float)(random.NextDouble() * 2 - 1), []))];
    }

    [Theory]
    [InlineData("dr-grpo", 0.0)]
    [InlineData("token-mean", 0.04)]
    [InlineData("sequence-mean", 0.0)]
    public void Should_accumulate_micro_batch_gradients_through_the_actor_equal_to_the_full_batch_gradient(string aggregation, double klBeta)
    {
        // GRPO baseline rounds: the first round's end does not step the optimizer, so the gradients stay to be read.
        var settings = ConfigLoader.Load(algorithm: "grpo", sets: [$"learning.loss-aggregation={aggregation}", FormattableString.Invariant($"learning.kl-beta={klBeta}"),
            "model.threads=1"]).Settings;
        var rows = Rows(12, 7);
        var tokens = rows.Sum(r => (long)r.CompletionIds.Length);
        var batch = new RolloutBatch(0, -1, 0, rows);

        var viaActor = new KeepLearner(settings);
        var accumulator = ChildActorOf(GradientAccumulatorActor.Props(settings, viaActor));
        accumulator.Tell(new Accumulate(batch, [[0, 1, 2], [3], [4, 5, 6, 7], [8, 9, 10, 11]], rows.Length, tokens));
        accumulator.Tell(new RoundFiltered(0, 0, batch with { Rows = [] }, tokens, RoundTally.Empty));
        var learned = ExpectMsg<RoundLearned>(TimeSpan.FromSeconds(60));
        Assert.False(learned.Published);
        Assert.Equal(rows.Length, learned.LearnedRows);
        var learner = viaActor.Learner!;
        var micro = new float[learner.ParameterCount];
        learner.CopyGradients(micro);

        using var whole = (TorchPolicyLearner)new TorchEngineFactory(settings, new PolicyModels(settings.Model, settings.Run.Seed)).CreateLearner();
        whole.Accumulate(rows, rows.Length, tokens);
        var full = new float[whole.ParameterCount];
        whole.CopyGradients(full);

        Assert.Contains(full, g => g != 0);
        var worst = full.Zip(micro, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5, $"largest gradient difference {worst}");
        Sys.Stop(accumulator);
    }
}
