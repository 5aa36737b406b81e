// The advantage filter's wire protocol: what it makes of a round for the learner (its input is the verifiers' BatchScored).
namespace Dash.Actors.Protocol;

/// <summary>The advantage filter's result on one batch (a pure function's value, <see cref="Algorithm.StepWork.Filter"/>):
/// the kept rows (with advantages) packed into micro-batches of row indices.</summary>
public sealed record BatchFiltered(RolloutBatch Kept, int[][] MicroBatches, int Dropped, int ZeroVarianceGroups);

/// <summary>What one round's rows were, counted by the advantage filter in the plan's order.</summary>
/// <param name="Rows">Rows sampled (before filtering).</param>
/// <param name="RewardSum">Sum of their rewards.</param>
/// <param name="SampledTokens">Their completion tokens.</param>
public sealed record RoundTally(int Rows, double RewardSum, int Correct, long SampledTokens, int Kept, int Dropped, int ZeroVarianceGroups)
{
    public static readonly RoundTally Empty = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Seconds the verifiers spent scoring the round's shards (busy time: they score beside sampling).</summary>
    public double RewardSeconds { get; init; }

    /// <summary>Seconds the advantage filter spent computing advantages, filtering and packing the round.</summary>
    public double AdvantageSeconds { get; init; }

    public RoundTally Add(RoundTally o) => new(Rows + o.Rows, RewardSum + o.RewardSum, Correct + o.Correct, SampledTokens + o.SampledTokens,
        Kept + o.Kept, Dropped + o.Dropped, ZeroVarianceGroups + o.ZeroVarianceGroups)
    {
        RewardSeconds = RewardSeconds + o.RewardSeconds,
        AdvantageSeconds = AdvantageSeconds + o.AdvantageSeconds,
    };
}

/// <summary>
/// Advantage filter → accumulator: the round's last message (every micro-batch of it was sent before). The accumulator
/// then runs what is left of the round's plan: PPO's passes over <paramref name="Kept"/> (empty unless the plan reuses the
/// batch), and the optimizer step after the step's last round.
/// </summary>
/// <param name="NormalizerTokens">Completion tokens the step's loss averages over, as known at the end of this round.</param>
public sealed record RoundFiltered(long Step, int Round, RolloutBatch Kept, long NormalizerTokens, RoundTally Tally) : IDashMessage;

/// <summary>How the advantage filter's messages look on the wire.</summary>
public static class AdvantageFilterProtocol
{
    internal static void Register(WireTable t) => t
        .Add<RoundFiltered>("round-filtered.v2", (w, m) => { w.Write(m.Step); w.Write(m.Round); w.WriteBatch(m.Kept); w.Write(m.NormalizerTokens); w.WriteTally(m.Tally); },
            r => new RoundFiltered(r.ReadInt64(), r.ReadInt32(), r.ReadBatch(), r.ReadInt64(), r.ReadTally()));
}
