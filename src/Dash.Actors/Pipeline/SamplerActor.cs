// Owns one policy replica on its own thread and samples groups of completions for shards of prompts.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>
/// A sampler: builds its model replica on start, applies weight updates (whole arrays in-process, checksummed chunks
/// from another node), and samples only with the weights the shard asks for (on-policy). When it throws, its
/// supervisor restarts it; before the restart it hands its unfinished shard back to the coordinator, which re-issues it.
/// A sampled shard goes straight on to the verifiers the shard names; the coordinator is told only that it is done.
/// On a sampler node it reports to whichever coordinator last said <see cref="CoordinatorHello"/> (the coordinator is a
/// cluster singleton and may move).
/// </summary>
public sealed class SamplerActor : ReceiveActor
{
    /// <summary>The coordinator a sampler reports to (fixed in-process; set by <see cref="CoordinatorHello"/> on a sampler node).</summary>
    public sealed class CoordinatorLink
    {
        public IActorRef Current { get; set; } = ActorRefs.Nobody;
    }

    private readonly int _id;
    private readonly IEngineFactory _factory;
    private readonly CoordinatorLink _link;
    private IPolicySampler? _engine;
    private long _version = -1;
    private string _sha = "";
    private Assembly? _incoming;

    /// <summary>A version arriving chunk by chunk.</summary>
    private sealed class Assembly(WeightChunk first)
    {
        public long Version { get; } = first.PolicyVersion;
        public string Sha256 { get; } = first.Sha256;
        public float[] Weights { get; } = new float[first.TotalFloats];
        public bool[] Have { get; } = new bool[first.Count];
        public int Received { get; set; }
    }

    public SamplerActor(int id, IEngineFactory factory, CoordinatorLink link)
    {
        _id = id;
        _factory = factory;
        _link = link;
        Receive<WeightUpdate>(OnWeights);
        Receive<WeightChunk>(OnChunk);
        Receive<SampleShard>(OnShard);
        Receive<CoordinatorHello>(_ =>
        {
            _link.Current = Sender;
            Coordinator.Tell(new SamplerReady(_id, _version));
        });
    }

    public static Props Props(int id, IEngineFactory factory, IActorRef coordinator) => Props(id, factory, new CoordinatorLink { Current = coordinator });

    /// <param name="link">Where reports go; shared with the sampler's host so a restarted sampler knows the current coordinator.</param>
    public static Props Props(int id, IEngineFactory factory, CoordinatorLink link) =>
        Akka.Actor.Props.Create(() => new SamplerActor(id, factory, link)).WithDispatcher(Dispatchers.Model);

    private IActorRef Coordinator => _link.Current;

    protected override void PreStart()
    {
        _engine = _factory.CreateSampler(_id);
        if (!Coordinator.IsNobody()) Coordinator.Tell(new SamplerReady(_id, _version));
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (message is SampleShard shard) Coordinator.Tell(new ShardFailed(_id, shard, reason.Message));
        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        _engine?.Dispose();
        _engine = null;
    }

    private void OnWeights(WeightUpdate update)
    {
        // Any complete update is applied: after a coordinator failover the learner may publish a version this sampler
        // saw before with other weights (a step that was never committed), so version numbers alone do not decide.
        _engine!.LoadWeights(update.Weights);
        _version = update.PolicyVersion;
        _sha = update.Sha256;
        Coordinator.Tell(new WeightsApplied(_id, _version, _sha));
    }

    private void OnChunk(WeightChunk chunk)
    {
        Sender.Tell(new WeightChunkAck(chunk.PolicyVersion, chunk.Index));
        if (_incoming is null || _incoming.Version != chunk.PolicyVersion || _incoming.Sha256 != chunk.Sha256) _incoming = new Assembly(chunk);
        var a = _incoming;
        if (chunk.Index < 0 || chunk.Index >= a.Have.Length || a.Have[chunk.Index]) return;
        var bytes = MemoryMarshal.AsBytes(a.Weights.AsSpan());
        // Every chunk but the last is full size; the last one ends the vector.
        var offset = chunk.Index == a.Have.Length - 1 ? bytes.Length - chunk.Data.Length : (long)chunk.Index * chunk.Data.Length;
        if (offset < 0 || offset + chunk.Data.Length > bytes.Length) return;
        chunk.Data.CopyTo(bytes[(int)offset..]);
        a.Have[chunk.Index] = true;
        if (++a.Received < a.Have.Length) return;
        _incoming = null;
        var sha = WeightBroadcastActor.Hash(a.Weights);
        if (sha != a.Sha256)
        {
            // Corrupted in transit: never sample with it; ask for the weights again.
            Context.GetLogger().Error("sampler {0}: weights of version {1} failed their checksum ({2} != {3}); asking again", _id, a.Version, sha, a.Sha256);
            Coordinator.Tell(new SamplerReady(_id, -1));
            return;
        }
        OnWeights(new WeightUpdate(a.Version, a.Weights, sha));
    }

    private void OnShard(SampleShard shard)
    {
        if (shard.PolicyVersion != _version)
        {
            // Sampling now would be off-policy: give the shard back and say which weights this sampler holds.
            Coordinator.Tell(new ShardFailed(_id, shard, $"sampler {_id} holds policy {_version}, shard wants {shard.PolicyVersion}"));
            Coordinator.Tell(new SamplerReady(_id, _version));
            return;
        }
        var clock = Stopwatch.StartNew();
        var batch = StepWork.Sample(_engine!, shard, _version);
        // The coordinator hears only that the shard is done, and first: told after the rollouts went on (verifiers, filter,
        // learner), its report could reach the coordinator after the learner's report on the round they ended.
        Coordinator.Tell(new ShardSampled(shard.Step, shard.Round, shard.ShardId, _id, clock.Elapsed.TotalSeconds));
        shard.Verifier.Tell(new ScoreBatch(batch, shard.ScoredTo));
        Coordinator.Tell(new SamplerReady(_id, _version));
    }
}
