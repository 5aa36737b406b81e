// Tracks the shards of one sampling round: queued, in flight, sampled, scored; re-issues and de-duplicates.
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>
/// The shards of one round of sampling (a training round or an evaluation). Every shard is sampled exactly once:
/// a failed shard goes back to the queue, a second result for the same shard is counted and ignored.
/// </summary>
internal sealed class WorkSet(IReadOnlyList<SampleShard> shards, bool isEval)
{
    private readonly Queue<SampleShard> _queue = new(shards);
    private readonly Dictionary<int, int> _inFlight = [];
    private readonly HashSet<int> _sampled = [];
    private readonly SortedDictionary<int, RolloutBatch> _scored = [];

    public bool IsEval { get; } = isEval;

    /// <summary>The round of sampling the shards belong to.</summary>
    public int Round { get; } = shards.Count > 0 ? shards[0].Round : 0;
    public int Count { get; } = shards.Count;
    public int Reissued { get; private set; }
    public int Duplicates { get; private set; }
    public int Correct { get; private set; }
    public bool AllSampled => _sampled.Count == Count;
    public bool AllScored => _scored.Count == Count;
    public bool HasQueued => _queue.Count > 0;

    public SampleShard Take(int samplerId)
    {
        var shard = _queue.Dequeue();
        _inFlight[shard.ShardId] = samplerId;
        return shard;
    }

    /// <summary>Records a sampled shard; false when it is a duplicate (already sampled).</summary>
    public bool Sampled(int shardId)
    {
        _inFlight.Remove(shardId);
        if (!_sampled.Add(shardId))
        {
            Duplicates++;
            return false;
        }
        return true;
    }

    public void Failed(SampleShard shard)
    {
        if (_sampled.Contains(shard.ShardId) || _queue.Any(s => s.ShardId == shard.ShardId)) return;
        _inFlight.Remove(shard.ShardId);
        _queue.Enqueue(shard);
        Reissued++;
    }

    /// <summary>Shards in flight on a sampler that is gone: back to the queue. Returns how many.</summary>
    public int SamplerLost(int samplerId)
    {
        var lost = _inFlight.Where(kv => kv.Value == samplerId).Select(kv => kv.Key).ToArray();
        foreach (var id in lost)
        {
            _inFlight.Remove(id);
            _queue.Enqueue(shards.First(s => s.ShardId == id));
            Reissued++;
        }
        return lost.Length;
    }

    public void Scored(RolloutBatch batch, int correct)
    {
        if (_scored.TryAdd(batch.ShardId, batch)) Correct += correct;
    }

    /// <summary>All scored rows (an evaluation's) in shard order (deterministic whatever order the shards finished in).</summary>
    public Rollout[] Rows() => [.. _scored.Values.SelectMany(b => b.Rows)];
}
