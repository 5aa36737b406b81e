// The sampler's wire protocol: shards to sample, weights to load, and what it reports to the coordinator.
using Akka.Actor;

namespace Dash.Actors.Protocol;

/// <summary>Coordinator → sampler: sample <paramref name="GroupSize"/> completions for each prompt, then hand the rollouts
/// to <see cref="Verifier"/> (who passes them on, scored, to <see cref="ScoredTo"/>) and report to the coordinator.</summary>
/// <param name="Round">The round of sampling within the step (0 for DASH, one per micro-batch for the GRPO baseline).</param>
/// <param name="Seed">Seed of this shard's random stream (a pure function of run seed, step and shard).</param>
/// <param name="Greedy">Greedy decoding (evaluation) instead of the configured sampling.</param>
public sealed record SampleShard(long Step, int Round, int ShardId, long PolicyVersion, PromptItem[] Prompts, int GroupSize, ulong Seed, bool Greedy)
    : IDashMessage
{
    /// <summary>The reward verifiers the sampled rollouts go to.</summary>
    public IActorRef Verifier { get; init; } = ActorRefs.Nobody;

    /// <summary>Where the verifiers send the scored rollouts: the advantage filter (training) or the coordinator (evaluation).</summary>
    public IActorRef ScoredTo { get; init; } = ActorRefs.Nobody;
}

/// <summary>Sampler → coordinator: a shard is sampled and on its way to the verifiers (the rows do not come back here).</summary>
public sealed record ShardSampled(long Step, int Round, int ShardId, int SamplerId, double Seconds) : IDashMessage;

/// <summary>Sampler → coordinator: ready for work with the given policy version loaded (-1: no weights yet).</summary>
public sealed record SamplerReady(int SamplerId, long PolicyVersion) : IDashMessage;

/// <summary>Sampler → coordinator: a shard was not finished (the sampler failed); the coordinator re-issues it.</summary>
public sealed record ShardFailed(int SamplerId, SampleShard Shard, string Reason) : IDashMessage;

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

/// <summary>Sampler → coordinator: the sampler now samples with this policy version, whose bytes hash to <paramref name="Sha256"/>.</summary>
public sealed record WeightsApplied(int SamplerId, long PolicyVersion, string Sha256) : IDashMessage;

/// <summary>
/// Coordinator → every sampler node (cluster mode): a coordinator for this run is up; samplers announce themselves to
/// the sender. Sent when the coordinator starts (or moves after a failover) and to every node that joins later.
/// </summary>
/// <param name="Settings">The run's configuration text (config.conf): a sampler node whose own training settings differ
/// refuses to serve it (empty: not checked).</param>
public sealed record CoordinatorHello(string RunId, string Settings = "") : IDashMessage;

/// <summary>How the sampler's messages look on the wire.</summary>
public static class SamplerProtocol
{
    internal static void Register(WireTable t) => t
        .Add<SampleShard>("sample-shard.v2", WriteShard, ReadShard)
        .Add<ShardSampled>("shard-sampled.v2", (w, m) => { w.Write(m.Step); w.Write(m.Round); w.Write(m.ShardId); w.Write(m.SamplerId); w.Write(m.Seconds); },
            r => new ShardSampled(r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble()))
        .Add<SamplerReady>("sampler-ready.v1", (w, m) => { w.Write(m.SamplerId); w.Write(m.PolicyVersion); }, r => new SamplerReady(r.ReadInt32(), r.ReadInt64()))
        .Add<ShardFailed>("shard-failed.v2", (w, m) => { w.Write(m.SamplerId); WriteShard(w, m.Shard); w.Write(m.Reason); },
            r => new ShardFailed(r.ReadInt32(), ReadShard(r), r.ReadString()))
        .Add<WeightUpdate>("weight-update.v2", (w, m) => { w.Write(m.PolicyVersion); w.WriteArray(m.Weights); w.Write(m.Sha256); },
            r => new WeightUpdate(r.ReadInt64(), r.ReadArray<float>(), r.ReadString()))
        .Add<WeightChunk>("weight-chunk.v1", (w, m) =>
            {
                w.Write(m.PolicyVersion); w.Write(m.Index); w.Write(m.Count); w.Write(m.TotalFloats); w.Write(m.Sha256); w.WriteArray(m.Data);
            },
            r => new WeightChunk(r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadString(), r.ReadArray<byte>()))
        .Add<WeightChunkAck>("weight-chunk-ack.v1", (w, m) => { w.Write(m.PolicyVersion); w.Write(m.Index); }, r => new WeightChunkAck(r.ReadInt64(), r.ReadInt32()))
        .Add<WeightsApplied>("weights-applied.v2", (w, m) => { w.Write(m.SamplerId); w.Write(m.PolicyVersion); w.Write(m.Sha256); },
            r => new WeightsApplied(r.ReadInt32(), r.ReadInt64(), r.ReadString()))
        .Add<CoordinatorHello>("coordinator-hello.v2", (w, m) => { w.Write(m.RunId); w.Write(m.Settings); }, r => new CoordinatorHello(r.ReadString(), r.ReadString()));

    private static void WriteShard(BinaryWriter w, SampleShard m)
    {
        w.Write(m.Step); w.Write(m.Round); w.Write(m.ShardId); w.Write(m.PolicyVersion); w.Write(m.GroupSize); w.Write(m.Seed); w.Write(m.Greedy);
        w.Write(m.Prompts.Length);
        foreach (var p in m.Prompts)
        {
            w.Write(p.GroupId); w.Write(p.ProblemId); w.WriteArray(p.PromptIds); w.Write(p.GoldAnswer); w.Write(p.Solution);
        }
        w.WriteRef(m.Verifier); w.WriteRef(m.ScoredTo);
    }

    private static SampleShard ReadShard(WireReader r)
    {
        var step = r.ReadInt64(); var round = r.ReadInt32(); var shard = r.ReadInt32(); var version = r.ReadInt64(); var g = r.ReadInt32();
        var seed = r.ReadUInt64(); var greedy = r.ReadBoolean();
        var prompts = new PromptItem[r.ReadInt32()];
        for (var i = 0; i < prompts.Length; i++)
            prompts[i] = new PromptItem(r.ReadInt32(), r.ReadString(), r.ReadArray<int>(), r.ReadString(), r.ReadString());
        return new SampleShard(step, round, shard, version, prompts, g, seed, greedy) { Verifier = r.ReadRef(), ScoredTo = r.ReadRef() };
    }
}
