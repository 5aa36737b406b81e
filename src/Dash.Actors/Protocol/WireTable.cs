// The table the serializer reads: every wire message's manifest, writer and reader, each registered by its actor's protocol.
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using Akka.Actor;

namespace Dash.Actors.Protocol;

/// <summary>Marker for every message that may cross a process boundary; bound to <see cref="DashSerializer"/>.</summary>
public interface IDashMessage;

/// <summary>
/// Manifests, writers and readers of the wire messages. Each actor's protocol file (<c>&lt;Role&gt;Protocol.cs</c>)
/// adds its own messages, one <see cref="Add{T}"/> each, so adding a message is one edit beside its record. Manifests
/// are stable strings ending in a version (<c>…v1</c>); a type is never renamed on the wire.
/// </summary>
public sealed class WireTable
{
    private readonly Dictionary<Type, (string Manifest, Action<BinaryWriter, object> Write)> _byType = [];
    private readonly Dictionary<string, Func<WireReader, object>> _byManifest = [];

    public WireTable Add<T>(string manifest, Action<BinaryWriter, T> write, Func<WireReader, T> read) where T : IDashMessage
    {
        if (!_byManifest.TryAdd(manifest, r => read(r)!)) throw new InvalidOperationException($"manifest {manifest} is registered twice.");
        _byType.Add(typeof(T), (manifest, (w, o) => write(w, (T)o)));
        return this;
    }

    /// <summary>A small, human-facing record (a report) as JSON under a versioned manifest: readable in logs.</summary>
    public WireTable Json<T>(string manifest) where T : IDashMessage =>
        Add<T>(manifest, (w, m) => w.Write(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(m)),
            r => System.Text.Json.JsonSerializer.Deserialize<T>(r.Bytes) ?? throw new SerializationException($"DashSerializer: empty {typeof(T).Name}."));

    public IEnumerable<Type> Types => _byType.Keys;

    public string Manifest(Type type) =>
        _byType.TryGetValue(type, out var e) ? e.Manifest : throw new ArgumentException($"DashSerializer cannot serialize {type}.");

    public void Write(BinaryWriter w, object message)
    {
        if (!_byType.TryGetValue(message.GetType(), out var e)) throw new ArgumentException($"DashSerializer cannot serialize {message.GetType()}.");
        e.Write(w, message);
    }

    public object Read(WireReader r, string manifest) => _byManifest.TryGetValue(manifest, out var read) ? read(r)
        : throw new SerializationException($"DashSerializer: unknown manifest '{manifest}' (a newer Dash version sent it?).");
}

/// <summary>Reads one message's bytes: little-endian numbers, raw arrays, batch records and actor references.</summary>
public sealed class WireReader(byte[] bytes, ExtendedActorSystem system) : BinaryReader(new MemoryStream(bytes))
{
    /// <summary>The whole message (JSON records read it at once).</summary>
    public byte[] Bytes { get; } = bytes;

    public IActorRef ReadRef() => ReadString() is { Length: > 0 } path ? system.Provider.ResolveActorRef(path) : ActorRefs.Nobody;

    public T[] ReadArray<T>() where T : unmanaged
    {
        var xs = new T[ReadInt32()];
        var span = MemoryMarshal.AsBytes(xs.AsSpan());
        if (Read(span) != span.Length) throw new SerializationException("DashSerializer: truncated array.");
        return xs;
    }

    public int[][] ReadJagged()
    {
        var xs = new int[ReadInt32()][];
        for (var i = 0; i < xs.Length; i++) xs[i] = ReadArray<int>();
        return xs;
    }

    public RolloutBatch ReadBatch()
    {
        var step = ReadInt64(); var round = ReadInt32(); var shard = ReadInt32(); var version = ReadInt64();
        var rows = new Rollout[ReadInt32()];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new Rollout(ReadInt32(), ReadString(), ReadString(), ReadArray<int>(), ReadArray<int>(),
                ReadArray<float>(), (FinishReason)ReadByte(), ReadString(), ReadSingle(), ReadSingle(), ReadArray<float>());
        }
        return new RolloutBatch(step, shard, version, rows) { Round = round };
    }

    public RoundTally ReadTally() => new(ReadInt32(), ReadDouble(), ReadInt32(), ReadInt64(), ReadInt32(), ReadInt32(), ReadInt32())
    {
        RewardSeconds = ReadDouble(),
        AdvantageSeconds = ReadDouble(),
    };
}

/// <summary>Writes what <see cref="WireReader"/> reads.</summary>
public static class Wire
{
    public static void WriteRef(this BinaryWriter w, IActorRef actor) =>
        w.Write(actor.IsNobody() ? "" : Akka.Serialization.Serialization.SerializedActorPath(actor));

    public static void WriteArray<T>(this BinaryWriter w, T[] xs) where T : unmanaged
    {
        w.Write(xs.Length);
        w.Write(MemoryMarshal.AsBytes(xs.AsSpan()));
    }

    public static void WriteJagged(this BinaryWriter w, int[][] xs)
    {
        w.Write(xs.Length);
        foreach (var x in xs) w.WriteArray(x);
    }

    public static void WriteBatch(this BinaryWriter w, RolloutBatch b)
    {
        w.Write(b.Step); w.Write(b.Round); w.Write(b.ShardId); w.Write(b.PolicyVersion); w.Write(b.Rows.Length);
        foreach (var x in b.Rows)
        {
            w.Write(x.GroupId); w.Write(x.ProblemId); w.Write(x.GoldAnswer);
            w.WriteArray(x.PromptIds); w.WriteArray(x.CompletionIds); w.WriteArray(x.SamplerLogProbs);
            w.Write((byte)x.Finish); w.Write(x.CompletionText); w.Write(x.Reward); w.Write(x.Advantage); w.WriteArray(x.OldLogProbs);
        }
    }

    public static void WriteTally(this BinaryWriter w, RoundTally t)
    {
        w.Write(t.Rows); w.Write(t.RewardSum); w.Write(t.Correct); w.Write(t.SampledTokens); w.Write(t.Kept); w.Write(t.Dropped); w.Write(t.ZeroVarianceGroups);
        w.Write(t.RewardSeconds); w.Write(t.AdvantageSeconds);
    }
}
