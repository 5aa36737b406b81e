// A round's shards: every shard sampled exactly once, failed and lost shards re-issued, duplicates ignored.
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Actors.Tests.Algorithm;

public sealed class WorkSetSpecs
{
    private static SampleShard Shard(int id) => new(3, 0, id, 0, [new PromptItem(id, $"p{id}", [id], "42", "")], 2, (ulong)id, false);

    private static RolloutBatch Batch(int id, params float[] rewards) =>
        new(3, id, 0, [.. rewards.Select(r => new Rollout(id, $"p{id}", "42", [id], [1], [0f], FinishReason.Eos, "", r, 0, []))]);

    private static WorkSet Work(int shards) => new([.. Enumerable.Range(0, shards).Select(Shard)], isEval: false);

    [Fact]
    public void Should_hand_out_shards_in_order_until_the_queue_is_empty()
    {
        var work = Work(3);

        Assert.Equal([0, 1, 2], new[] { work.Take(0), work.Take(1), work.Take(0) }.Select(s => s.ShardId));
        Assert.False(work.HasQueued);
    }

    [Fact]
    public void Should_return_rows_in_shard_order_whatever_order_shards_finish_in()
    {
        var work = Work(3);
        foreach (var id in new[] { 2, 0, 1 })
        {
            work.Sampled(id);
            work.Scored(Batch(id, id), correct: 1);
        }

        Assert.True(work.AllSampled && work.AllScored);
        Assert.Equal([0, 1, 2], work.Rows().Select(r => r.GroupId));
        Assert.Equal(3, work.Correct);
    }

    [Fact]
    public void Should_count_and_ignore_a_second_result_for_the_same_shard()
    {
        var work = Work(2);
        work.Take(0);

        Assert.True(work.Sampled(0));
        Assert.False(work.Sampled(0));
        work.Scored(Batch(0, 1), correct: 1);
        work.Scored(Batch(0, 0), correct: 1);

        Assert.Equal(1, work.Duplicates);
        Assert.Equal(1, work.Correct);
        Assert.Equal([1f], work.Rows().Select(r => r.Reward));
        Assert.False(work.AllSampled);
    }

    [Fact]
    public void Should_reissue_a_failed_shard_once_and_not_one_already_sampled()
    {
        var work = Work(2);
        var first = work.Take(0);
        var second = work.Take(1);
        work.Sampled(1);

        work.Failed(first);
        work.Failed(first); // a second report of the same failure
        work.Failed(second); // sampled already

        Assert.Equal(1, work.Reissued);
        Assert.Equal(0, work.Take(0).ShardId);
        Assert.False(work.HasQueued);
    }

    [Fact]
    public void Should_count_an_evaluations_reissued_shards_in_its_report()
    {
        var work = new WorkSet([.. Enumerable.Range(0, 2).Select(Shard)], isEval: true);
        work.Take(0);
        work.Take(1);
        work.SamplerLost(1);
        foreach (var id in new[] { 0, work.Take(0).ShardId })
        {
            work.Sampled(id);
            work.Scored(Batch(id, 1), correct: 1);
        }

        var report = work.EvalReport(4, 4, 1.0, _ => null);

        Assert.Equal((2, 2, 1), (report.Problems, report.Correct, report.ReissuedShards));
    }

    [Fact]
    public void Should_requeue_only_the_shards_in_flight_on_a_lost_sampler()
    {
        var work = Work(4);
        work.Take(0);
        work.Take(1);
        work.Take(0);
        work.Take(1);
        work.Sampled(2);

        var lost = work.SamplerLost(0);

        Assert.Equal(1, lost); // shard 0; shard 2 of the same sampler is already sampled
        Assert.Equal(1, work.Reissued);
        Assert.Equal(0, work.Take(1).ShardId);
        Assert.Equal(0, work.SamplerLost(0));
    }
}
