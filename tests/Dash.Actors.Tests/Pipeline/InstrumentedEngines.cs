// Engines around the fakes that shuffle the order shards finish in and record the order of sampling and learning events.
using System.Collections.Concurrent;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.Actors.Tests.Pipeline;

/// <summary>
/// Wraps an engine factory. Samplers wait <see cref="DelayMs"/> (a function of the shard's first prompt index) before
/// sampling, so with several samplers shards finish out of the plan's order; <see cref="Events"/> records, in order,
/// every training shard's start and end ("sample 6 start", "sample 6 end") and every micro-batch the learner accumulates
/// ("accumulate"). When <see cref="HoldShard"/> is set, the shard with that first prompt index starts only once the
/// learner has accumulated something in its step, or after <see cref="HoldLimit"/>.
/// </summary>
internal sealed class InstrumentedEngines(IEngineFactory inner) : IEngineFactory
{
    public ConcurrentQueue<string> Events { get; } = new();
    public Func<int, int> DelayMs { get; init; } = _ => 0;

    /// <summary>How long the learner takes per accumulated micro-batch.</summary>
    public int LearnDelayMs { get; init; }
    public int? HoldShard { get; init; }
    public TimeSpan HoldLimit { get; init; } = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _learned = new(0);

    /// <summary>Shards of one step in the order they finished sampling, by first prompt index.</summary>
    public IReadOnlyList<int> FinishOrder(int step) =>
        [.. Events.Where(e => e.StartsWith($"step {step} sample ", StringComparison.Ordinal) && e.EndsWith(" end", StringComparison.Ordinal))
            .Select(e => int.Parse(e.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture))];

    public IPolicySampler CreateSampler(int samplerId) => new Sampler(this, inner.CreateSampler(samplerId));
    public IPolicyLearner CreateLearner() => new Learner(this, inner.CreateLearner());
    public IRewardScorer CreateScorer() => inner.CreateScorer();

    private sealed class Sampler(InstrumentedEngines owner, IPolicySampler engine) : IPolicySampler
    {
        public IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<int[]> prompts, int groupSize, bool greedy, ulong seed)
        {
            if (greedy) return engine.Sample(prompts, groupSize, greedy, seed);
            var (step, first) = (prompts[0][0], prompts[0][1]); // The fake task's prompts start with (step, prompt index).
            owner.Events.Enqueue($"step {step} sample {first} start");
            if (first == owner.HoldShard) owner._learned.Wait(owner.HoldLimit);
            Thread.Sleep(owner.DelayMs(first));
            var result = engine.Sample(prompts, groupSize, greedy, seed);
            owner.Events.Enqueue($"step {step} sample {first} end");
            return result;
        }

        public void LoadWeights(ReadOnlySpan<float> weights) => engine.LoadWeights(weights);
        public void Dispose() => engine.Dispose();
    }

    private sealed class Learner(InstrumentedEngines owner, IPolicyLearner engine) : IPolicyLearner
    {
        public int ParameterCount => engine.ParameterCount;
        public long Version => engine.Version;
        public void CopyWeights(Span<float> destination) => engine.CopyWeights(destination);
        public float[][] LogProbs(IReadOnlyList<Rollout> rows) => engine.LogProbs(rows);

        public AccumulateStats Accumulate(IReadOnlyList<Rollout> rows, int normalizerRows, long normalizerTokens)
        {
            Thread.Sleep(owner.LearnDelayMs);
            var stats = engine.Accumulate(rows, normalizerRows, normalizerTokens);
            owner.Events.Enqueue("accumulate");
            owner._learned.Release();
            return stats;
        }

        public OptimizerStats Step()
        {
            while (owner._learned.CurrentCount > 0) owner._learned.Wait(0); // A new step: nothing learned in it yet.
            owner.Events.Enqueue("step");
            return engine.Step();
        }

        public void Save(string directory) => engine.Save(directory);
        public void Load(string directory) => engine.Load(directory);
        public void Dispose() => engine.Dispose();
    }
}
