// Explicit binary serializer for every Dash message, with stable versioned manifests (no default JSON anywhere).
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Dash.Actors.Protocol;

/// <summary>
/// Serializes the pipeline protocol as compact little-endian binary. Arrays of numbers are copied as raw bytes.
/// Manifests are stable strings ending in a version (<c>…v1</c>); a type is never renamed on the wire.
/// </summary>
public sealed class DashSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7301;

    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(SampleShard)] = "sample-shard.v1",
        [typeof(ShardSampled)] = "shard-sampled.v1",
        [typeof(SamplerReady)] = "sampler-ready.v1",
        [typeof(ShardFailed)] = "shard-failed.v1",
        [typeof(ScoreBatch)] = "score-batch.v1",
        [typeof(BatchScored)] = "batch-scored.v1",
        [typeof(FilterBatch)] = "filter-batch.v1",
        [typeof(BatchFiltered)] = "batch-filtered.v1",
        [typeof(PrepareOldLogProbs)] = "prepare-old-logprobs.v1",
        [typeof(OldLogProbsReady)] = "old-logprobs-ready.v1",
        [typeof(Accumulate)] = "accumulate.v1",
        [typeof(Accumulated)] = "accumulated.v1",
        [typeof(ApplyStep)] = "apply-step.v1",
        [typeof(StepApplied)] = "step-applied.v1",
        [typeof(WeightUpdate)] = "weight-update.v2",
        [typeof(SendWeightsTo)] = "send-weights-to.v1",
        [typeof(WeightChunk)] = "weight-chunk.v1",
        [typeof(WeightChunkAck)] = "weight-chunk-ack.v1",
        [typeof(SamplerLeft)] = "sampler-left.v1",
        [typeof(CoordinatorHello)] = "coordinator-hello.v1",
        [typeof(RunEnded)] = "run-ended.v1",
        [typeof(WeightsApplied)] = "weights-applied.v2",
        [typeof(SaveCheckpoint)] = "save-checkpoint.v1",
        [typeof(CheckpointSaved)] = "checkpoint-saved.v1",
        [typeof(CheckpointFailed)] = "checkpoint-failed.v1",
        [typeof(StepReport)] = "step-report.v1",
        [typeof(EvalReport)] = "eval-report.v1",
        [typeof(TrainingFinished)] = "training-finished.v1",
        [typeof(TrainingFailed)] = "training-failed.v1",
        [typeof(Pipeline.TrainingWarning)] = "training-warning.v1",
        [typeof(SamplersChanged)] = "samplers-changed.v1",
    };

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"DashSerializer cannot serialize {o.GetType()}.");

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            switch (obj)
            {
                case SampleShard m: WriteShard(w, m); break;
                case ShardSampled m: WriteBatch(w, m.Batch); w.Write(m.SamplerId); w.Write(m.Seconds); break;
                case SamplerReady m: w.Write(m.SamplerId); w.Write(m.PolicyVersion); break;
                case ShardFailed m: w.Write(m.SamplerId); WriteShard(w, m.Shard); w.Write(m.Reason); break;
                case ScoreBatch m: WriteBatch(w, m.Batch); break;
                case BatchScored m: WriteBatch(w, m.Batch); w.Write(m.Correct); w.Write(m.Seconds); break;
                case FilterBatch m: WriteBatch(w, m.Batch); break;
                case BatchFiltered m: WriteBatch(w, m.Kept); WriteJagged(w, m.MicroBatches); w.Write(m.Dropped); w.Write(m.ZeroVarianceGroups); break;
                case PrepareOldLogProbs m: WriteBatch(w, m.Batch); break;
                case OldLogProbsReady m: WriteBatch(w, m.Batch); w.Write(m.Seconds); break;
                case Accumulate m: WriteBatch(w, m.Batch); WriteJagged(w, m.MicroBatches); w.Write(m.NormalizerRows); w.Write(m.NormalizerTokens); break;
                case Accumulated m: w.Write(m.Step); w.Write(m.Rows); w.Write(m.Tokens); w.Write(m.Loss); w.Write(m.Kl); w.Write(m.Seconds); break;
                case ApplyStep m: w.Write(m.Step); w.Write(m.Publish); break;
                case StepApplied m: w.Write(m.Step); w.Write(m.PolicyVersion); w.Write(m.GradNorm); w.Write(m.LearningRate); w.Write(m.Seconds); break;
                case WeightUpdate m: w.Write(m.PolicyVersion); WriteArray<float>(w, m.Weights); w.Write(m.Sha256); break;
                case SendWeightsTo m: w.Write(Serialization.SerializedActorPath(m.Sampler)); break;
                case WeightChunk m:
                    w.Write(m.PolicyVersion); w.Write(m.Index); w.Write(m.Count); w.Write(m.TotalFloats); w.Write(m.Sha256);
                    WriteArray<byte>(w, m.Data); break;
                case WeightChunkAck m: w.Write(m.PolicyVersion); w.Write(m.Index); break;
                case SamplerLeft m: w.Write(Serialization.SerializedActorPath(m.Sampler)); break;
                case CoordinatorHello m: w.Write(m.RunId); break;
                case RunEnded m: w.Write(m.RunId); w.Write(m.Finished); break;
                case WeightsApplied m: w.Write(m.SamplerId); w.Write(m.PolicyVersion); w.Write(m.Sha256); break;
                case SaveCheckpoint m: w.Write(m.Step); break;
                case CheckpointSaved m: w.Write(m.Step); w.Write(m.Name); w.Write(m.Sha256); w.Write(m.Seconds); break;
                case CheckpointFailed m: w.Write(m.Step); w.Write(m.Reason); break;
                case StepReport or EvalReport or TrainingFinished or TrainingFailed or Pipeline.TrainingWarning or SamplersChanged:
                    w.Write(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType())); break;
                default: throw new ArgumentException($"DashSerializer cannot serialize {obj.GetType()}.");
            }
        }
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        return manifest switch
        {
            "sample-shard.v1" => ReadShard(r),
            "shard-sampled.v1" => new ShardSampled(ReadBatch(r), r.ReadInt32(), r.ReadDouble()),
            "sampler-ready.v1" => new SamplerReady(r.ReadInt32(), r.ReadInt64()),
            "shard-failed.v1" => new ShardFailed(r.ReadInt32(), ReadShard(r), r.ReadString()),
            "score-batch.v1" => new ScoreBatch(ReadBatch(r)),
            "batch-scored.v1" => new BatchScored(ReadBatch(r), r.ReadInt32(), r.ReadDouble()),
            "filter-batch.v1" => new FilterBatch(ReadBatch(r)),
            "batch-filtered.v1" => new BatchFiltered(ReadBatch(r), ReadJagged(r), r.ReadInt32(), r.ReadInt32()),
            "prepare-old-logprobs.v1" => new PrepareOldLogProbs(ReadBatch(r)),
            "old-logprobs-ready.v1" => new OldLogProbsReady(ReadBatch(r), r.ReadDouble()),
            "accumulate.v1" => new Accumulate(ReadBatch(r), ReadJagged(r), r.ReadInt32(), r.ReadInt64()),
            "accumulated.v1" => new Accumulated(r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble()),
            "apply-step.v1" => new ApplyStep(r.ReadInt64(), r.ReadBoolean()),
            "step-applied.v1" => new StepApplied(r.ReadInt64(), r.ReadInt64(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble()),
            "weight-update.v2" => new WeightUpdate(r.ReadInt64(), ReadArray<float>(r), r.ReadString()),
            "send-weights-to.v1" => new SendWeightsTo(system.Provider.ResolveActorRef(r.ReadString())),
            "weight-chunk.v1" => new WeightChunk(r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadString(), ReadArray<byte>(r)),
            "weight-chunk-ack.v1" => new WeightChunkAck(r.ReadInt64(), r.ReadInt32()),
            "sampler-left.v1" => new SamplerLeft(system.Provider.ResolveActorRef(r.ReadString())),
            "coordinator-hello.v1" => new CoordinatorHello(r.ReadString()),
            "run-ended.v1" => new RunEnded(r.ReadString(), r.ReadBoolean()),
            "weights-applied.v2" => new WeightsApplied(r.ReadInt32(), r.ReadInt64(), r.ReadString()),
            "save-checkpoint.v1" => new SaveCheckpoint(r.ReadInt64()),
            "checkpoint-saved.v1" => new CheckpointSaved(r.ReadInt64(), r.ReadString(), r.ReadString(), r.ReadDouble()),
            "checkpoint-failed.v1" => new CheckpointFailed(r.ReadInt64(), r.ReadString()),
            "step-report.v1" => Json<StepReport>(bytes),
            "eval-report.v1" => Json<EvalReport>(bytes),
            "training-finished.v1" => Json<TrainingFinished>(bytes),
            "training-failed.v1" => Json<TrainingFailed>(bytes),
            "training-warning.v1" => Json<Pipeline.TrainingWarning>(bytes),
            "samplers-changed.v1" => Json<SamplersChanged>(bytes),
            _ => throw new SerializationException($"DashSerializer: unknown manifest '{manifest}' (a newer Dash version sent it?)."),
        };
    }

    // Reports are small, human-facing records: JSON under a versioned manifest keeps them readable in logs.
    private static T Json<T>(byte[] bytes) =>
        System.Text.Json.JsonSerializer.Deserialize<T>(bytes) ?? throw new SerializationException($"DashSerializer: empty {typeof(T).Name}.");

    private static void WriteShard(BinaryWriter w, SampleShard m)
    {
        w.Write(m.Step); w.Write(m.ShardId); w.Write(m.PolicyVersion); w.Write(m.GroupSize); w.Write(m.Seed); w.Write(m.Greedy);
        w.Write(m.Prompts.Length);
        foreach (var p in m.Prompts)
        {
            w.Write(p.GroupId); w.Write(p.ProblemId); WriteArray<int>(w, p.PromptIds); w.Write(p.GoldAnswer); w.Write(p.Solution);
        }
    }

    private static SampleShard ReadShard(BinaryReader r)
    {
        var step = r.ReadInt64(); var shard = r.ReadInt32(); var version = r.ReadInt64(); var g = r.ReadInt32();
        var seed = r.ReadUInt64(); var greedy = r.ReadBoolean();
        var prompts = new PromptItem[r.ReadInt32()];
        for (var i = 0; i < prompts.Length; i++)
            prompts[i] = new PromptItem(r.ReadInt32(), r.ReadString(), ReadArray<int>(r), r.ReadString(), r.ReadString());
        return new SampleShard(step, shard, version, prompts, g, seed, greedy);
    }

    /// <summary>Writes a rollout batch; also used by the checkpoint and journal code.</summary>
    internal static void WriteBatch(BinaryWriter w, RolloutBatch b)
    {
        w.Write(b.Step); w.Write(b.ShardId); w.Write(b.PolicyVersion); w.Write(b.Rows.Length);
        foreach (var x in b.Rows)
        {
            w.Write(x.GroupId); w.Write(x.ProblemId); w.Write(x.GoldAnswer);
            WriteArray<int>(w, x.PromptIds); WriteArray<int>(w, x.CompletionIds); WriteArray<float>(w, x.SamplerLogProbs);
            w.Write((byte)x.Finish); w.Write(x.CompletionText); w.Write(x.Reward); w.Write(x.Advantage); WriteArray<float>(w, x.OldLogProbs);
        }
    }

    internal static RolloutBatch ReadBatch(BinaryReader r)
    {
        var step = r.ReadInt64(); var shard = r.ReadInt32(); var version = r.ReadInt64();
        var rows = new Rollout[r.ReadInt32()];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new Rollout(r.ReadInt32(), r.ReadString(), r.ReadString(), ReadArray<int>(r), ReadArray<int>(r),
                ReadArray<float>(r), (FinishReason)r.ReadByte(), r.ReadString(), r.ReadSingle(), r.ReadSingle(), ReadArray<float>(r));
        }
        return new RolloutBatch(step, shard, version, rows);
    }

    private static void WriteJagged(BinaryWriter w, int[][] xs)
    {
        w.Write(xs.Length);
        foreach (var x in xs) WriteArray<int>(w, x);
    }

    private static int[][] ReadJagged(BinaryReader r)
    {
        var xs = new int[r.ReadInt32()][];
        for (var i = 0; i < xs.Length; i++) xs[i] = ReadArray<int>(r);
        return xs;
    }

    internal static void WriteArray<T>(BinaryWriter w, T[] xs) where T : unmanaged
    {
        w.Write(xs.Length);
        w.Write(MemoryMarshal.AsBytes(xs.AsSpan()));
    }

    internal static T[] ReadArray<T>(BinaryReader r) where T : unmanaged
    {
        var n = r.ReadInt32();
        var xs = new T[n];
        var span = MemoryMarshal.AsBytes(xs.AsSpan());
        if (r.Read(span) != span.Length) throw new SerializationException("DashSerializer: truncated array.");
        return xs;
    }

    /// <summary>The HOCON that binds every <see cref="IDashMessage"/> to this serializer.</summary>
    public static Akka.Configuration.Config Hocon => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.dash = "{{typeof(DashSerializer).AssemblyQualifiedName}}"
          serialization-bindings { "{{typeof(IDashMessage).AssemblyQualifiedName}}" = dash }
          serialization-identifiers { "{{typeof(DashSerializer).AssemblyQualifiedName}}" = {{Id}} }
        }
        """);
}
