// The coordinator's sampler bookkeeping as plain data: ids, held versions, idle or busy, and who gets work.
using Dash.Actors.Pipeline;

namespace Dash.Actors.Tests.Pipeline;

public sealed class SamplerPoolSpecs
{
    /// <summary>A pool whose samplers registered in this order and applied <paramref name="version"/>; all idle.</summary>
    private static SamplerPool<string> Holding(long version, params string[] samplers)
    {
        var pool = new SamplerPool<string>();
        foreach (var s in samplers)
        {
            pool.Ready(s, -1);
            pool.Applied(s, version);
        }
        return pool;
    }

    [Fact]
    public void Should_send_weights_to_a_new_sampler_whatever_it_says_it_holds_and_count_it_as_holding_none()
    {
        var pool = new SamplerPool<string>();

        // After a failover a sampler may hold version 3 of a step that was never committed: it is sent the learner's weights.
        Assert.Equal((true, true), pool.Ready("a", 3));
        Assert.False(pool.AllHold(3));
        Assert.Empty(pool.TakeIdle(3, 10));
    }

    [Fact]
    public void Should_resend_weights_only_to_a_known_sampler_that_reports_none()
    {
        var pool = new SamplerPool<string>();
        pool.Ready("a", -1);
        pool.Applied("a", 4);

        Assert.Equal((false, false), pool.Ready("a", 4));
        Assert.Equal((false, true), pool.Ready("a", -1)); // restarted, or a failed checksum
    }

    [Fact]
    public void Should_give_work_only_to_idle_samplers_holding_the_current_weights_in_the_order_they_arrived()
    {
        var pool = Holding(2, "c", "a", "b");
        pool.Applied("a", 1); // a sampler still on older weights would sample off-policy

        Assert.Equal([(0, "c"), (2, "b")], pool.TakeIdle(2, 10));
        Assert.Empty(pool.TakeIdle(2, 10)); // both are busy now
    }

    [Fact]
    public void Should_take_no_more_samplers_than_there_is_work_and_keep_the_rest_idle()
    {
        var pool = Holding(0, "a", "b", "c");

        Assert.Equal([(0, "a")], pool.TakeIdle(0, 1));
        Assert.Equal([(1, "b"), (2, "c")], pool.TakeIdle(0, 5));
    }

    [Fact]
    public void Should_keep_a_sampler_whose_shard_failed_busy_until_it_asks_for_work_again()
    {
        var pool = Holding(0, "a");
        pool.Busy("a");

        Assert.Empty(pool.TakeIdle(0, 1));
        pool.Ready("a", 0);
        Assert.Equal([(0, "a")], pool.TakeIdle(0, 1));
    }

    [Fact]
    public void Should_be_in_sync_only_when_there_are_samplers_and_every_one_holds_the_version()
    {
        var pool = new SamplerPool<string>();
        Assert.False(pool.AllHold(0)); // no sampler: nothing can be sampled yet
        pool.Ready("a", -1);
        pool.Ready("b", -1);
        pool.Applied("a", 5);
        Assert.False(pool.AllHold(5));
        pool.Applied("b", 5);
        Assert.True(pool.AllHold(5));
        Assert.False(pool.AllHold(-1)); // an unknown version is never in sync
        pool.Remove("b");
        Assert.True(pool.AllHold(5));
    }

    [Fact]
    public void Should_ignore_a_sampler_it_gave_up_as_lost_and_never_reuse_its_id()
    {
        var pool = new SamplerPool<string>();
        pool.Ready("a", -1);
        Assert.Equal(0, pool.Remove("a"));
        Assert.Null(pool.Remove("a"));
        Assert.False(pool.Applied("a", 1)); // weights it applied after it was lost

        pool.Ready("a", -1); // the same sampler back: a new registration, a new id
        pool.Applied("a", 1);
        Assert.Equal([(1, "a")], pool.TakeIdle(1, 1));
    }
}
