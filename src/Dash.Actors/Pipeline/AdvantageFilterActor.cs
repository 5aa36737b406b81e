// Computes group advantages, drops samples with |A| <= tau before any model work, packs survivors into micro-batches.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

public sealed class AdvantageFilterActor : ReceiveActor
{
    public AdvantageFilterActor(AdvantageSettings advantage, LearningSettings learning) =>
        Receive<FilterBatch>(m => Sender.Tell(StepWork.Filter(m.Batch, advantage, learning)));

    public static Props Props(AdvantageSettings advantage, LearningSettings learning) =>
        Akka.Actor.Props.Create(() => new AdvantageFilterActor(advantage, learning)).WithDispatcher(Dispatchers.Compute);
}
