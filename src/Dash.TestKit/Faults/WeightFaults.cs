// Weight faults: drop or delay a weight chunk (or a whole in-process weight update) on its way into a sampler.
using System.Collections.Concurrent;
using Akka.Actor;
using Dash.Actors.Protocol;

namespace Dash.TestKit;

/// <summary>One planned fault on the weights of <paramref name="Version"/> arriving at a sampler.</summary>
/// <param name="Chunk">The chunk index (a whole in-process <see cref="WeightUpdate"/> counts as chunk 0).</param>
/// <param name="Sampler">The sampler id (its actor is named sampler-&lt;id&gt;), or null for the first sampler the weights reach.</param>
/// <param name="Delay">Deliver the message this much later; null drops it.</param>
public sealed record WeightFault(long Version, int Chunk, int? Sampler, TimeSpan? Delay);

/// <summary>What a fault did: which sampler it hit, which version and chunk, and whether it dropped or delayed it.</summary>
public sealed record WeightFaultHit(string Sampler, long Version, int Chunk, bool Dropped);

/// <summary>
/// Planned weight faults (<see cref="DashHarness.WeightFaults"/>). Samplers started by the harness (in one process, or
/// on its loopback nodes) use <see cref="FaultMailbox"/>, which asks this plan about every <see cref="WeightChunk"/> and
/// <see cref="WeightUpdate"/> before the sampler sees it. Each fault fires once. A chunk dropped between nodes is sent
/// again when the learner's transfer stalls (after 10 s without an acknowledgement); an in-process update that is
/// dropped is never sent again, so in one process only delays are useful.
/// </summary>
public sealed class WeightFaults
{
    private readonly List<WeightFault> _planned = [];
    private readonly Lock _gate = new();

    /// <summary>Every fault that fired, in order.</summary>
    public ConcurrentQueue<WeightFaultHit> Hits { get; } = new();

    /// <summary>Drops chunk <paramref name="chunk"/> of version <paramref name="version"/> once.</summary>
    public WeightFaults Drop(long version, int chunk = 0, int? sampler = null) => Add(new WeightFault(version, chunk, sampler, null));

    /// <summary>Delivers chunk <paramref name="chunk"/> of version <paramref name="version"/> <paramref name="by"/> later, once.</summary>
    public WeightFaults Delay(long version, TimeSpan by, int chunk = 0, int? sampler = null) => Add(new WeightFault(version, chunk, sampler, by));

    private WeightFaults Add(WeightFault fault)
    {
        lock (_gate) _planned.Add(fault);
        return this;
    }

    /// <summary>The fault that applies to <paramref name="message"/> arriving at <paramref name="sampler"/> (consumed), or null.</summary>
    internal WeightFault? Take(IActorRef sampler, object message)
    {
        var (version, chunk) = message switch
        {
            WeightChunk c => (c.PolicyVersion, c.Index),
            WeightUpdate u => (u.PolicyVersion, 0),
            _ => (-1L, -1),
        };
        if (chunk < 0) return null;
        lock (_gate)
        {
            var i = _planned.FindIndex(f => f.Version == version && f.Chunk == chunk &&
                                            (f.Sampler is null || sampler.Path.Name == $"sampler-{f.Sampler}"));
            if (i < 0) return null;
            var fault = _planned[i];
            _planned.RemoveAt(i);
            Hits.Enqueue(new WeightFaultHit(sampler.Path.ToString(), version, chunk, fault.Delay is null));
            return fault;
        }
    }
}

/// <summary>Which weight-fault plan an actor system's fault mailboxes consult (set by the harness that runs in it).</summary>
public sealed class FaultRegistry : IExtension
{
    public WeightFaults? Weights { get; set; }

    public static FaultRegistry For(ActorSystem system) => system.WithExtension<FaultRegistry, Id>();

    private sealed class Id : ExtensionIdProvider<FaultRegistry>
    {
        public override FaultRegistry CreateExtension(ExtendedActorSystem system) => new();
    }
}
