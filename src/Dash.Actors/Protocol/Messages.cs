// The wire protocol between the pipeline's actors: immutable records, all bound to DashSerializer.
namespace Dash.Actors.Protocol;

/// <summary>Marker for every message that may cross a process boundary; bound to <see cref="DashSerializer"/>.</summary>
public interface IDashMessage;

/// <summary>Coordinator → sampler: sample <paramref name="GroupSize"/> completions for each prompt.</summary>
/// <param name="Seed">Seed of this shard's random stream (a pure function of run seed, step and shard).</param>
/// <param name="Greedy">Greedy decoding (evaluation) instead of the configured sampling.</param>
public sealed record SampleShard(long Step, int ShardId, long PolicyVersion, PromptItem[] Prompts, int GroupSize, ulong Seed, bool Greedy)
    : IDashMessage;

/// <summary>Sampler → coordinator: the rollouts of one shard.</summary>
public sealed record ShardSampled(RolloutBatch Batch, int SamplerId, double Seconds) : IDashMessage;

/// <summary>Sampler → coordinator: ready for work with the given policy version loaded (-1: no weights yet).</summary>
public sealed record SamplerReady(int SamplerId, long PolicyVersion) : IDashMessage;

/// <summary>Sampler → coordinator: a shard was not finished (the sampler failed); the coordinator re-issues it.</summary>
public sealed record ShardFailed(int SamplerId, SampleShard Shard, string Reason) : IDashMessage;

/// <summary>Coordinator → verifier pool: score every row of a batch.</summary>
public sealed record ScoreBatch(RolloutBatch Batch) : IDashMessage;

/// <summary>Verifier → coordinator: the batch with rewards filled in.</summary>
public sealed record BatchScored(RolloutBatch Batch, int Correct, double Seconds) : IDashMessage;

/// <summary>Coordinator → advantage filter: compute group advantages, filter, pack micro-batches.</summary>
public sealed record FilterBatch(RolloutBatch Batch) : IDashMessage;

/// <summary>Advantage filter → coordinator: the kept rows (with advantages) packed into micro-batches of row indices.</summary>
public sealed record BatchFiltered(RolloutBatch Kept, int[][] MicroBatches, int Dropped, int ZeroVarianceGroups) : IDashMessage;

/// <summary>Coordinator → accumulator: compute the pre-update log-probs of every row (PPO multi-step only).</summary>
public sealed record PrepareOldLogProbs(RolloutBatch Batch) : IDashMessage;

/// <summary>Accumulator → coordinator: the batch with <see cref="Rollout.OldLogProbs"/> filled in.</summary>
public sealed record OldLogProbsReady(RolloutBatch Batch, double Seconds) : IDashMessage;

/// <summary>Coordinator → accumulator: forward/backward the given micro-batches and add their gradients.</summary>
/// <param name="NormalizerRows">Rows the optimizer step averages over (the sampled batch before filtering).</param>
/// <param name="NormalizerTokens">Completion tokens the step averages over (token-mean aggregation).</param>
public sealed record Accumulate(RolloutBatch Batch, int[][] MicroBatches, int NormalizerRows, long NormalizerTokens) : IDashMessage;

/// <summary>Accumulator → coordinator: gradients added.</summary>
public sealed record Accumulated(long Step, int Rows, int Tokens, double Loss, double Kl, double Seconds) : IDashMessage;

/// <summary>Coordinator → accumulator: clip, step the optimizer, zero gradients, and publish the new weights to the
/// samplers when <paramref name="Publish"/> (the last optimizer step of a training step).</summary>
public sealed record ApplyStep(long Step, bool Publish) : IDashMessage;

/// <summary>Accumulator → coordinator: the optimizer step is done; samplers are being sent this version.</summary>
public sealed record StepApplied(long Step, long PolicyVersion, double GradNorm, double LearningRate, double Seconds) : IDashMessage;

/// <summary>Accumulator → sampler in the same process: the full weights of a policy version, flattened in state-dict order.</summary>
/// <param name="Sha256">Hex SHA-256 of the weights' bytes, as the learner computed it.</param>
public sealed record WeightUpdate(long PolicyVersion, float[] Weights, string Sha256) : IDashMessage;

/// <summary>
/// Accumulator → remote sampler: one chunk of a policy version's weights (raw little-endian float bytes). The receiver
/// acknowledges every chunk; the sender keeps a small window of chunks in flight per sampler.
/// </summary>
/// <param name="Index">Chunk number, 0 … Count-1.</param>
/// <param name="TotalFloats">Length of the whole flat weight vector.</param>
/// <param name="Sha256">Hex SHA-256 of the whole vector's bytes: the receiver applies the weights only if it matches.</param>
public sealed record WeightChunk(long PolicyVersion, int Index, int Count, int TotalFloats, string Sha256, byte[] Data) : IDashMessage;

/// <summary>Sampler → accumulator: a chunk arrived.</summary>
public sealed record WeightChunkAck(long PolicyVersion, int Index) : IDashMessage;

/// <summary>Coordinator → accumulator: this sampler is gone; stop sending it weights.</summary>
public sealed record SamplerLeft(Akka.Actor.IActorRef Sampler) : IDashMessage;

/// <summary>
/// Coordinator → every sampler node (cluster mode): a coordinator for this run is up; samplers announce themselves to
/// the sender. Sent when the coordinator starts (or moves after a failover) and to every node that joins later.
/// </summary>
public sealed record CoordinatorHello(string RunId) : IDashMessage;

/// <summary>Coordinator → every sampler node (cluster mode): the run is over; sampler nodes leave the cluster.</summary>
public sealed record RunEnded(string RunId, bool Finished) : IDashMessage;

/// <summary>Coordinator → accumulator: send the current weights to this sampler (after it restarted).</summary>
public sealed record SendWeightsTo(Akka.Actor.IActorRef Sampler) : IDashMessage;

/// <summary>Sampler → coordinator: the sampler now samples with this policy version, whose bytes hash to <paramref name="Sha256"/>.</summary>
public sealed record WeightsApplied(int SamplerId, long PolicyVersion, string Sha256) : IDashMessage;

/// <summary>Coordinator → accumulator: write the learner's state as the checkpoint of this step (atomically).</summary>
public sealed record SaveCheckpoint(long Step) : IDashMessage;

/// <summary>Accumulator → coordinator: the checkpoint is durable (folder name and manifest SHA-256).</summary>
public sealed record CheckpointSaved(long Step, string Name, string Sha256, double Seconds) : IDashMessage;

/// <summary>Accumulator → coordinator: the checkpoint could not be written (disk full, read-only); the step is not committed.</summary>
public sealed record CheckpointFailed(long Step, string Reason) : IDashMessage;
