// Computes group advantages, drops samples with |A| <= tau before any model work, packs survivors into micro-batches.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

public sealed class AdvantageFilterActor : ReceiveActor
{
    public AdvantageFilterActor(AdvantageSettings advantage, LearningSettings learning) =>
        Receive<FilterBatch>(m => Sender.Tell(Filter(m.Batch, advantage, learning)));

    public static Props Props(AdvantageSettings advantage, LearningSettings learning) =>
        Akka.Actor.Props.Create(() => new AdvantageFilterActor(advantage, learning)).WithDispatcher(Dispatchers.Compute);

    /// <summary>The pure function the actor applies (tests compare the actor's counts with it).</summary>
    public static BatchFiltered Filter(RolloutBatch batch, AdvantageSettings advantage, LearningSettings learning)
    {
        var rewards = batch.Rows.Select(r => r.Reward).ToArray();
        var groups = batch.Rows.Select(r => r.GroupId).ToArray();
        // SFT learns from every reference solution: no advantages, no filtering.
        var tau = learning.Mode == LearningMode.Sft ? -1 : advantage.FilterTau;
        var result = Advantages.Filter(rewards, groups, advantage.ScaleByStd, tau);
        var kept = result.Kept.Select(i => batch.Rows[i] with { Advantage = result.Advantages[i] }).ToArray();
        var lengths = kept.Select(r => r.PromptIds.Length + r.CompletionIds.Length).ToArray();
        var micro = Advantages.PackMicroBatches(lengths, learning.MicroBatchSize, learning.MicroBatchTokens);
        return new BatchFiltered(batch with { Rows = kept }, micro, result.Dropped, result.ZeroVarianceGroups);
    }
}
