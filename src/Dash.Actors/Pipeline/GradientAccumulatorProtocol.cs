// The learner's wire protocol: micro-batches to accumulate, its round reports, checkpoints and the samplers to send weights to.
using Akka.Actor;

namespace Dash.Actors.Protocol;

/// <summary>Advantage filter → accumulator: forward/backward the given micro-batches and add their gradients (no reply;
/// the accumulator reports once per round with <see cref="RoundLearned"/>).</summary>
/// <param name="NormalizerRows">Rows the optimizer step averages over (the sampled batch before filtering).</param>
/// <param name="NormalizerTokens">Completion tokens the step averages over (token-mean aggregation only).</param>
public sealed record Accumulate(RolloutBatch Batch, int[][] MicroBatches, int NormalizerRows, long NormalizerTokens) : IDashMessage;

/// <summary>
/// Accumulator → coordinator: a round is learned. After the step's last round the optimizer stepped and
/// <paramref name="Published"/> is true: the samplers are being sent <paramref name="PolicyVersion"/> (with a policy lag,
/// it is held until <see cref="PublishWeights"/>), and the step's checkpoint follows (<see cref="CheckpointSaved"/>).
/// </summary>
/// <param name="LearnedRows">Rows and tokens forward/backward passes went over (PPO counts a row once per pass).</param>
public sealed record RoundLearned(long Step, int Round, RoundTally Tally, int LearnedRows, long LearnedTokens, double Loss, double Kl,
    double GradNorm, double LearningRate, long PolicyVersion, bool Published, double Seconds) : IDashMessage;

/// <summary>Coordinator → accumulator: send the current weights to this sampler (after it restarted).</summary>
public sealed record SendWeightsTo(IActorRef Sampler) : IDashMessage;

/// <summary>Coordinator → accumulator: this sampler is gone; stop sending it weights.</summary>
public sealed record SamplerLeft(IActorRef Sampler) : IDashMessage;

/// <summary>Coordinator → accumulator, with a policy lag: send the held version to every sampler (the samplers finished
/// the step they sample with the version before it).</summary>
public sealed record PublishWeights(long PolicyVersion) : IDashMessage;

/// <summary>Accumulator → coordinator, after a step's optimizer step: its checkpoint is durable (folder name and manifest
/// SHA-256; empty when the run keeps none).</summary>
public sealed record CheckpointSaved(long Step, string Name, string Sha256, double Seconds) : IDashMessage;

/// <summary>Accumulator → coordinator: the checkpoint could not be written (disk full, read-only); the step is not committed.</summary>
public sealed record CheckpointFailed(long Step, string Reason) : IDashMessage;

/// <summary>How the learner's messages look on the wire.</summary>
public static class GradientAccumulatorProtocol
{
    internal static void Register(WireTable t) => t
        .Add<Accumulate>("accumulate.v2", (w, m) => { w.WriteBatch(m.Batch); w.WriteJagged(m.MicroBatches); w.Write(m.NormalizerRows); w.Write(m.NormalizerTokens); },
            r => new Accumulate(r.ReadBatch(), r.ReadJagged(), r.ReadInt32(), r.ReadInt64()))
        .Add<RoundLearned>("round-learned.v2", (w, m) =>
            {
                w.Write(m.Step); w.Write(m.Round); w.WriteTally(m.Tally); w.Write(m.LearnedRows); w.Write(m.LearnedTokens); w.Write(m.Loss);
                w.Write(m.Kl); w.Write(m.GradNorm); w.Write(m.LearningRate); w.Write(m.PolicyVersion); w.Write(m.Published); w.Write(m.Seconds);
            },
            r => new RoundLearned(r.ReadInt64(), r.ReadInt32(), r.ReadTally(), r.ReadInt32(), r.ReadInt64(), r.ReadDouble(),
                r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadInt64(), r.ReadBoolean(), r.ReadDouble()))
        .Add<SendWeightsTo>("send-weights-to.v1", (w, m) => w.WriteRef(m.Sampler), r => new SendWeightsTo(r.ReadRef()))
        .Add<SamplerLeft>("sampler-left.v1", (w, m) => w.WriteRef(m.Sampler), r => new SamplerLeft(r.ReadRef()))
        .Add<PublishWeights>("publish-weights.v1", (w, m) => w.Write(m.PolicyVersion), r => new PublishWeights(r.ReadInt64()))
        .Add<CheckpointSaved>("checkpoint-saved.v1", (w, m) => { w.Write(m.Step); w.Write(m.Name); w.Write(m.Sha256); w.Write(m.Seconds); },
            r => new CheckpointSaved(r.ReadInt64(), r.ReadString(), r.ReadString(), r.ReadDouble()))
        .Add<CheckpointFailed>("checkpoint-failed.v1", (w, m) => { w.Write(m.Step); w.Write(m.Reason); }, r => new CheckpointFailed(r.ReadInt64(), r.ReadString()));
}
