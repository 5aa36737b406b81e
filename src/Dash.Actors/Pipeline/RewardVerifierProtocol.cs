// The reward verifiers' wire protocol: a sampled batch in, the scored batch out to the stage the sampler named.
using Akka.Actor;

namespace Dash.Actors.Protocol;

/// <summary>Sampler → verifier pool: score every row of a batch and send the result to <paramref name="ReplyTo"/>.</summary>
public sealed record ScoreBatch(RolloutBatch Batch, IActorRef ReplyTo) : IDashMessage;

/// <summary>Verifier → advantage filter (or, for an evaluation, the coordinator): the batch with rewards filled in.</summary>
public sealed record BatchScored(RolloutBatch Batch, int Correct, double Seconds) : IDashMessage;

/// <summary>How the verifiers' messages look on the wire.</summary>
public static class RewardVerifierProtocol
{
    internal static void Register(WireTable t) => t
        .Add<ScoreBatch>("score-batch.v2", (w, m) => { w.WriteBatch(m.Batch); w.WriteRef(m.ReplyTo); }, r => new ScoreBatch(r.ReadBatch(), r.ReadRef()))
        .Add<BatchScored>("batch-scored.v2", (w, m) => { w.WriteBatch(m.Batch); w.Write(m.Correct); w.Write(m.Seconds); },
            r => new BatchScored(r.ReadBatch(), r.ReadInt32(), r.ReadDouble()));
}
