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

    /// <summary>The held-out evaluation of the weights after <paramref name="at"/> steps: the same list, shards and greedy
    /// decoding as <c>dash eval</c>'s Evaluator, so a checkpoint's number is reproducible.</summary>
    public static WorkSet Eval(Settings.DashSettings settings, PromptItem[] heldOut, long at, long version, Akka.Actor.IActorRef verifier,
        Akka.Actor.IActorRef scoredTo) =>
        new([.. Algorithm.StepPlan.EvalShards(settings, at, heldOut.Length)
            .Select(sh => sh.ToMessage(heldOut, Algorithm.StepPlan.EvalStepId(at), version, 1, greedy: true) with { Verifier = verifier, ScoredTo = scoredTo })], isEval: true);

    /// <summary>The round of sampling the shards belong to.</summary>
    public int Round { get; } = shards.Count > 0 ? shards[0].Round : 0;
    public int Count { get; } = shards.Count;
    public int Reissued { get; private set; }
    public int Duplicates { get; private set; }
    public int Correct { get; private set; }
    public bool AllSampled => _sampled.Count == Count;
    public bool AllScored => _scored.Count == Count;
    public bool HasQueued => _queue.Count > 0;
    public int Queued => _queue.Count;

    public SampleShard Take(int samplerId)
    {
        var shard = _queue.Dequeue();
        _inFlight[shard.ShardId] = samplerId;
        return shard;
    }

    /// <summary>The step the shards belong to (an evaluation's: <see cref="Algorithm.StepPlan.EvalStepId"/>).</summary>
    public long Step { get; } = shards.Count > 0 ? shards[0].Step : -1;

    /// <summary>Records a sampler's report on one of these shards; true when it was the last one to be sampled.</summary>
    public bool Sampled(ShardSampled m) => m.Step == Step && m.Round == Round && Sampled(m.ShardId) && AllSampled;

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

    /// <summary>An evaluation's report once every shard is scored: greedy pass@1, overall and per level.</summary>
    public EvalReport EvalReport(long step, long version, double seconds, Func<string, string?> levelOf)
    {
        var rows = Rows();
        return new EvalReport(step, version, rows.Length, Correct, rows.Length == 0 ? 0 : rows.Average(r => r.CompletionIds.Length), seconds)
        {
            Levels = Engines.Evaluator.ByLevel(rows.Select(r => (levelOf(r.ProblemId), r.Reward > 0.5f))),
            ReissuedShards = Reissued,
        };
    }
}
