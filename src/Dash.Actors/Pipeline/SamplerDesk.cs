// The coordinator's dealings with its samplers: who arrives, who holds which weights, who gets work, who is lost.
using Akka.Actor;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>
/// What the coordinator does with samplers whatever its phase, on top of the plain <see cref="SamplerPool{T}"/>: it watches
/// new samplers and has the learner send them weights, hands shards to idle samplers holding the current weights, and
/// re-queues a lost sampler's shards. Called from the coordinator's handlers (<paramref name="context"/> is its context).
/// </summary>
internal sealed class SamplerDesk(IActorRef listener, bool cluster)
{
    private readonly SamplerPool<IActorRef> _pool = new();
    private string? _lastError;

    public IActorRef Learner { get; set; } = ActorRefs.Nobody;

    public IEnumerable<IActorRef> All => _pool.All;

    public bool AllHold(long version) => _pool.AllHold(version);

    /// <summary>A sampler asks for work holding <paramref name="version"/>: a new one is watched and sent the weights.</summary>
    public void Ready(IActorContext context, IActorRef sampler, long version)
    {
        var (isNew, needsWeights) = _pool.Ready(sampler, version);
        if (isNew) context.Watch(sampler);
        if (needsWeights) Learner.Tell(new SendWeightsTo(sampler));
        if (isNew && cluster) listener.Tell(new SamplersChanged($"sampler joined: {sampler.Path} ({_pool.Count} sampler(s))", _pool.Count));
    }

    /// <summary>A sampler applied weights; false when it was already given up as lost.</summary>
    public bool Applied(IActorRef sampler, long version) => _pool.Applied(sampler, version);

    /// <summary>A sampler's shard failed: the shard goes back to the queue, the sampler is busy until it asks again.</summary>
    public void Failed(IActorRef sampler, ShardFailed m, WorkSet? work)
    {
        _lastError = m.Reason.Split('\n', 2)[0].Trim().TrimEnd('.');
        _pool.Busy(sampler);
        work?.Failed(m.Shard);
    }

    /// <summary>Hands queued shards of <paramref name="work"/> to idle samplers holding <paramref name="version"/>.</summary>
    public void Dispatch(WorkSet? work, long version)
    {
        if (work is null) return;
        foreach (var (id, sampler) in _pool.TakeIdle(version, work.Queued)) sampler.Tell(work.Take(id));
    }

    /// <summary>A sampler stopped or its node is gone: its shards go back to the queue and it no longer counts for sync.
    /// Returns false when it was not known (already lost).</summary>
    public bool Lose(IActorContext context, IActorRef sampler, string why, WorkSet? work)
    {
        if (_pool.Remove(sampler) is not { } id) return false;
        context.Unwatch(sampler);
        var reissued = work?.SamplerLost(id) ?? 0;
        Learner.Tell(new SamplerLeft(sampler));
        listener.Tell(new TrainingWarning($"sampler {sampler.Path} is gone ({why}); {reissued} shard(s) re-issued, {_pool.Count} sampler(s) left."));
        return true;
    }

    /// <summary>Whether an in-process run has lost its last sampler and cannot go on (<see cref="NoneLeft"/>).</summary>
    public bool NoneLeftInProcess => !cluster && _pool.Count == 0;

    /// <summary>The stop of an in-process run whose last sampler is gone, naming the last sampler error if any.</summary>
    public string NoneLeft(string why, long nextStep) => RunStops.NoSamplerLeft(_lastError ?? why, nextStep);

    /// <summary>The samplers on node <paramref name="node"/>.</summary>
    public IActorRef[] On(Address node) => [.. _pool.All.Where(r => r.Path.Address == node)];
}
