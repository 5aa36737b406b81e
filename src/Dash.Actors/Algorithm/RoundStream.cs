// The advantage filter's work on one round as its shards arrive: in the plan's order, emitting learner work as soon as it is known.
using System.Diagnostics;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Algorithm;

/// <summary>
/// One round of a step on its way from the verifiers to the learner. Scored shards may arrive in any order and more than
/// once (a re-issued shard); they are taken once each, in the plan's shard order, so the learner receives the same
/// micro-batches in the same order as <see cref="PlainLoop"/> whatever the samplers did. When <paramref name="stream"/>
/// (overlap on and <see cref="StepPlan.StreamsLearning"/>), each shard's kept rows are packed at once and every full
/// micro-batch goes out; otherwise the round is filtered and packed whole once its last shard is in. The round ends with
/// one <see cref="RoundFiltered"/>.
/// </summary>
/// <param name="prior">Rows and completion tokens sampled in the step's earlier rounds (the token normaliser counts them).</param>
public sealed class RoundStream(StepPlan plan, int round, bool stream, AdvantageSettings advantage, LearningSettings learning, (int Rows, long Tokens) prior)
{
    private readonly SortedDictionary<int, BatchScored> _early = [];
    private readonly List<Rollout> _rows = [];
    private readonly MicroBatchStream _micro = new(learning.MicroBatchSize, learning.MicroBatchTokens);
    private readonly int _shards = plan.ShardsIn(round);
    private RoundTally _tally = RoundTally.Empty;
    private int _next;
    private long _version = -1;

    public bool Complete => _next == _shards;

    /// <summary>Rows and completion tokens sampled so far in the step, this round's taken shards included.</summary>
    public (int Rows, long Tokens) Sampled => (prior.Rows + _tally.Rows, prior.Tokens + _tally.SampledTokens);

    /// <summary>Takes a scored shard; returns the messages for the learner it releases, in order (none for a duplicate or
    /// a shard that must wait for an earlier one).</summary>
    public IReadOnlyList<IDashMessage> Offer(BatchScored scored)
    {
        var id = scored.Batch.ShardId;
        if (id < _next || id >= _shards || !_early.TryAdd(id, scored)) return [];
        var clock = Stopwatch.StartNew();
        var output = new List<IDashMessage>();
        while (_early.Remove(_next, out var next))
        {
            Take(next, output);
            _next++;
        }
        _tally = _tally with { AdvantageSeconds = _tally.AdvantageSeconds + clock.Elapsed.TotalSeconds };
        if (Complete) Finish(output);
        return output;
    }

    private void Take(BatchScored scored, List<IDashMessage> output)
    {
        var batch = scored.Batch;
        _version = batch.PolicyVersion;
        _tally = _tally with
        {
            Rows = _tally.Rows + batch.Rows.Length,
            RewardSum = batch.Rows.Aggregate(_tally.RewardSum, (sum, r) => sum + r.Reward),
            Correct = _tally.Correct + scored.Correct,
            SampledTokens = _tally.SampledTokens + batch.CompletionTokens,
            RewardSeconds = _tally.RewardSeconds + scored.Seconds,
        };
        if (!stream)
        {
            _rows.AddRange(batch.Rows);
            return;
        }
        var filtered = StepWork.Filter(batch, advantage, learning);
        Count(filtered);
        foreach (var micro in _micro.Add(filtered.Kept.Rows)) output.Add(Micro(micro));
    }

    private void Finish(List<IDashMessage> output)
    {
        var empty = new RolloutBatch(plan.Step, -1, _version, []) { Round = round };
        var tokens = plan.TokenNormalizer(Sampled.Tokens, Sampled.Rows);
        if (stream)
        {
            if (_micro.Flush() is { } last) output.Add(Micro(last));
            output.Add(new RoundFiltered(plan.Step, round, empty, tokens, _tally));
            return;
        }
        var clock = Stopwatch.StartNew();
        var filtered = StepWork.Filter(empty with { Rows = [.. _rows] }, advantage, learning);
        Count(filtered);
        _tally = _tally with { AdvantageSeconds = _tally.AdvantageSeconds + clock.Elapsed.TotalSeconds };
        if (plan.ReusesBatch)
        {
            output.Add(new RoundFiltered(plan.Step, round, filtered.Kept, tokens, _tally));
            return;
        }
        if (filtered.MicroBatches.Length > 0) output.Add(new Accumulate(filtered.Kept, filtered.MicroBatches, plan.SamplesPerStep, tokens));
        output.Add(new RoundFiltered(plan.Step, round, empty, tokens, _tally));
    }

    private void Count(BatchFiltered filtered) => _tally = _tally with
    {
        Kept = _tally.Kept + filtered.Kept.Rows.Length,
        Dropped = _tally.Dropped + filtered.Dropped,
        ZeroVarianceGroups = _tally.ZeroVarianceGroups + filtered.ZeroVarianceGroups,
    };

    /// <summary>One streamed micro-batch. Its token normaliser extrapolates from the rows sampled so far; the plans that
    /// stream do not divide by it (see <see cref="StepPlan.StreamsLearning"/>).</summary>
    private Accumulate Micro(Rollout[] rows) =>
        new(new RolloutBatch(plan.Step, -1, _version, rows) { Round = round }, [[.. Enumerable.Range(0, rows.Length)]], plan.SamplesPerStep,
            plan.TokenNormalizer(Sampled.Tokens, Sampled.Rows));
}
