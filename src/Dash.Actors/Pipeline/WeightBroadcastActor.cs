// Sends every new policy version to every sampler: whole arrays in-process, checksummed chunks with an ack window over the network.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>
/// The learner's outbox for weights. It keeps the newest published version and the set of samplers, and delivers the
/// version to each: a sampler in this process gets the array itself (read-only until the learner reuses it two
/// versions later, by which time every sampler has acknowledged the next version); a sampler
/// on another node gets <see cref="WeightChunk"/>s of about <c>chunkBytes</c> with at most <c>window</c> unacknowledged
/// chunks in flight, so one large transfer never blocks the connection (heartbeats included) and a slow sampler only
/// slows itself. A newer version replaces an unfinished transfer of an older one.
/// </summary>
public sealed class WeightBroadcastActor : ReceiveActor, IWithTimers
{
    private readonly int _chunkBytes;
    private readonly int _window;
    private readonly TimeSpan _stallAfter;
    private readonly bool _chunkLocal;
    public ITimerScheduler Timers { get; set; } = null!;
    private readonly HashSet<IActorRef> _targets = [];
    private readonly Dictionary<IActorRef, Transfer> _transfers = [];
    private Snapshot? _latest;

    /// <summary>
    /// One published version: its weights, the number of chunks, and their bytes' hash, computed only when a sampler on
    /// another node needs it (hashing a large model every step would cost in-process runs time for nothing).
    /// </summary>
    public sealed class Snapshot(long version, float[] weights, int chunks)
    {
        private string? _sha256;

        public long Version { get; } = version;
        public float[] Weights { get; } = weights;
        public int Chunks { get; } = chunks;
        public string Sha256 => _sha256 ??= Hash(Weights);

        /// <summary>The hash if it was computed, else "" (in-process samplers report what they were given).</summary>
        public string KnownSha256 => _sha256 ?? "";
    }

    /// <summary>Accumulator → broadcaster: a new version to deliver to every sampler.</summary>
    public sealed record Publish(long Version, float[] Weights);

    /// <summary>Accumulator → broadcaster: deliver the current version to this (new or restarted) sampler, and keep it.</summary>
    public sealed record AddTarget(IActorRef Sampler);

    private sealed class Transfer(Snapshot snapshot)
    {
        public Snapshot Snapshot { get; } = snapshot;
        public int NextChunk { get; set; }
        public int Acked { get; set; }
        public bool[] Have { get; } = new bool[snapshot.Chunks];
        public Stopwatch SinceProgress { get; } = Stopwatch.StartNew();
    }

    private sealed class CheckStalled
    {
        public static readonly CheckStalled Instance = new();
    }

    /// <param name="stallAfter">A transfer with no acknowledgement for this long starts again from its first chunk (a
    /// message lost when a connection dropped and came back would otherwise stall it for ever). Default 10 s.</param>
    /// <param name="chunkLocal">Chunk for samplers in this process too (tests of the chunked protocol).</param>
    public WeightBroadcastActor(int chunkBytes, int window, TimeSpan? stallAfter = null, bool chunkLocal = false)
    {
        if (chunkBytes < 4096) throw new ArgumentOutOfRangeException(nameof(chunkBytes), "a weight chunk must be at least 4 KiB.");
        _chunkBytes = chunkBytes / sizeof(float) * sizeof(float);
        _window = Math.Max(1, window);
        _stallAfter = stallAfter ?? TimeSpan.FromSeconds(10);
        _chunkLocal = chunkLocal;
        Receive<CheckStalled>(_ => RestartStalled());
        Receive<Publish>(OnPublish);
        Receive<AddTarget>(m =>
        {
            _targets.Add(m.Sampler);
            if (_latest is not null) Start(m.Sampler, _latest);
        });
        Receive<SamplerLeft>(m =>
        {
            _targets.Remove(m.Sampler);
            _transfers.Remove(m.Sampler);
        });
        Receive<WeightChunkAck>(OnAck);
    }

    public static Props Props(int chunkBytes, int window, TimeSpan? stallAfter = null, bool chunkLocal = false) =>
        Akka.Actor.Props.Create(() => new WeightBroadcastActor(chunkBytes, window, stallAfter, chunkLocal));

    protected override void PreStart() => Timers.StartPeriodicTimer("stalled", CheckStalled.Instance, _stallAfter / 4);

    private void RestartStalled()
    {
        foreach (var (target, t) in _transfers.Where(kv => kv.Value.SinceProgress.Elapsed >= _stallAfter).ToArray())
        {
            Context.GetLogger().Warning("weights v{0} to {1}: no acknowledgement for {2:0.#} s; sending again from the first chunk",
                t.Snapshot.Version, target.Path, _stallAfter.TotalSeconds);
            Start(target, t.Snapshot);
        }
    }

    /// <summary>Hex SHA-256 of a weight vector's bytes: the identity samplers report back.</summary>
    public static string Hash(ReadOnlySpan<float> weights) => Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(weights)));

    private void OnPublish(Publish m)
    {
        var bytes = (long)m.Weights.Length * sizeof(float);
        _latest = new Snapshot(m.Version, m.Weights, (int)Math.Max(1, (bytes + _chunkBytes - 1) / _chunkBytes));
        foreach (var target in _targets) Start(target, _latest);
    }

    private void Start(IActorRef target, Snapshot snapshot)
    {
        if (target.Path.Address.HasLocalScope && !_chunkLocal)
        {
            _transfers.Remove(target);
            target.Tell(new WeightUpdate(snapshot.Version, snapshot.Weights, snapshot.KnownSha256), Self);
            return;
        }
        var transfer = new Transfer(snapshot);
        _transfers[target] = transfer;
        while (transfer.NextChunk < snapshot.Chunks && transfer.NextChunk - transfer.Acked < _window) SendNext(target, transfer);
    }

    private void SendNext(IActorRef target, Transfer t)
    {
        var s = t.Snapshot;
        var all = MemoryMarshal.AsBytes(s.Weights.AsSpan());
        var start = (long)t.NextChunk * _chunkBytes;
        var length = (int)Math.Min(_chunkBytes, all.Length - start);
        target.Tell(new WeightChunk(s.Version, t.NextChunk, s.Chunks, s.Weights.Length, s.Sha256, all.Slice((int)start, length).ToArray()), Self);
        t.NextChunk++;
    }

    private void OnAck(WeightChunkAck m)
    {
        if (!_transfers.TryGetValue(Sender, out var t) || t.Snapshot.Version != m.PolicyVersion) return; // An older transfer's ack.
        if (m.Index < 0 || m.Index >= t.Have.Length || t.Have[m.Index]) return; // A repeated ack (after a restarted transfer).
        t.Have[m.Index] = true;
        t.Acked++;
        t.SinceProgress.Restart();
        if (t.NextChunk < t.Snapshot.Chunks) SendNext(Sender, t);
        if (t.Acked == t.Snapshot.Chunks) _transfers.Remove(Sender); // Every chunk arrived; the sampler reports to the coordinator.
    }
}
