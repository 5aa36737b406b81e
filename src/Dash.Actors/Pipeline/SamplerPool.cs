// The coordinator's sampler bookkeeping: an id per sampler, the policy version each holds, which are idle.
namespace Dash.Actors.Pipeline;

/// <summary>
/// The samplers a coordinator knows (plain data; <typeparamref name="TSampler"/> is an actor ref in the coordinator and
/// anything comparable in specs). Ids are given in order of arrival and never reused, so work goes to samplers in a
/// deterministic order. A sampler holds a policy version (-1: none yet, or one it must be sent again) and is idle or busy.
/// </summary>
public sealed class SamplerPool<TSampler> where TSampler : notnull
{
    private sealed class Entry(int id)
    {
        public int Id { get; } = id;
        public long Version { get; set; } = -1;
        public bool Idle { get; set; }
    }

    private readonly Dictionary<TSampler, Entry> _entries = [];
    private int _nextId;

    public int Count => _entries.Count;

    public IEnumerable<TSampler> All => _entries.Keys;

    public bool Contains(TSampler sampler) => _entries.ContainsKey(sampler);

    /// <summary>
    /// A sampler asks for work, holding <paramref name="version"/>. Returns whether it must be sent the learner's weights:
    /// always when it is new (after a failover it may hold a version of the same number from a step never committed), and
    /// when it reports none (restarted, or a failed checksum). A new sampler counts as holding nothing until it applies them.
    /// </summary>
    public (bool IsNew, bool NeedsWeights) Ready(TSampler sampler, long version)
    {
        var isNew = !_entries.TryGetValue(sampler, out var entry);
        if (isNew) _entries[sampler] = entry = new Entry(_nextId++);
        else entry!.Version = version;
        entry.Idle = true;
        return (isNew, isNew || version < 0);
    }

    /// <summary>A sampler applied <paramref name="version"/>; false when it is not (or no longer) known.</summary>
    public bool Applied(TSampler sampler, long version)
    {
        if (!_entries.TryGetValue(sampler, out var entry)) return false;
        entry.Version = version;
        return true;
    }

    /// <summary>Forgets a sampler; returns its id, or null when it was not known.</summary>
    public int? Remove(TSampler sampler) => _entries.Remove(sampler, out var entry) ? entry.Id : null;

    /// <summary>A sampler's shard failed: it is busy until it asks for work again.</summary>
    public void Busy(TSampler sampler)
    {
        if (_entries.TryGetValue(sampler, out var entry)) entry.Idle = false;
    }

    /// <summary>Whether there is at least one sampler and every one holds <paramref name="version"/>.</summary>
    public bool AllHold(long version) => version >= 0 && _entries.Count > 0 && _entries.Values.All(e => e.Version == version);

    /// <summary>
    /// Takes up to <paramref name="max"/> idle samplers that hold <paramref name="version"/>, in id order, and marks them busy
    /// (a sampler with older weights gets no work: its samples would be off-policy).
    /// </summary>
    public IReadOnlyList<(int Id, TSampler Sampler)> TakeIdle(long version, int max)
    {
        var taken = _entries.Where(kv => kv.Value.Idle && kv.Value.Version == version).OrderBy(kv => kv.Value.Id).Take(max)
            .Select(kv => (kv.Value.Id, kv.Key)).ToArray();
        foreach (var (_, sampler) in taken) _entries[sampler].Idle = false;
        return taken;
    }
}
