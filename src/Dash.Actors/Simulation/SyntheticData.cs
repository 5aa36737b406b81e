// Synthetic prompts for simulations: lengths from the cost model's workload, the gold answer "1" everywhere.
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;
using Dash.Tasks.Sampling;

namespace Dash.Actors.Simulation;

/// <summary>
/// Prompts whose only content is their length (uniform on [mean/2, 3 mean/2] tokens, a pure function of seed, step and
/// index). Simulated samplers answer "1" for a correct completion, so the gold answer is always "1".
/// </summary>
public sealed class SyntheticData(CostModel cost, long seed) : ITrainingData
{
    public const string Gold = "1";

    public PromptItem[] TrainPrompts(long step, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Prompt(i, $"sim-{step}-{i}", Seeds.Derive(seed, 0x5eed, step, i)))];

    public PromptItem[] HeldOut(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Prompt(i, $"sim-held-{i}", Seeds.Derive(seed, 0x4e1d, i)))];

    public int[] EncodeCompletion(string text) => new int[Spread(cost.CompletionTokens, Seeds.Derive(seed, text.Length))];

    private PromptItem Prompt(int group, string id, ulong s) => new(group, id, new int[Spread(cost.PromptTokens, s)], Gold, Gold);

    /// <summary>A length uniform on [mean/2, 3 mean/2] (at least 1) drawn from <paramref name="seed"/>.</summary>
    public static int Spread(int mean, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var half = mean / 2;
        return Math.Max(1, rng.NextInt(mean - half, mean + half));
    }
}
