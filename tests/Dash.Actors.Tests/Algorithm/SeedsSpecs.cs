// Every random stream's seed is a pure function of the run seed and a path: stable across versions, distinct per path.
using Dash.Actors.Algorithm;

namespace Dash.Actors.Tests.Algorithm;

public sealed class SeedsSpecs
{
    [Fact]
    public void Should_derive_the_seeds_earlier_versions_derived_so_old_runs_resume_bit_identically()
    {
        // Journals and checkpoints of earlier versions continue only if a shard's stream stays what it was.
        Assert.Equal(0xA14937BE6C654954UL, Seeds.Derive(42, 0, 0, 0));
        Assert.Equal(0x09964C70F351016BUL, Seeds.Derive(42, 5, 1, 3));
        Assert.Equal(0x269DE587AB41D702UL, Seeds.Derive(7, -3, 0, 2));
        Assert.Equal(0x5692161D100B05E5UL, Seeds.Mix(1));
    }

    [Fact]
    public void Should_give_every_step_round_and_shard_its_own_seed()
    {
        var seeds = new List<ulong>();
        for (var step = -4; step < 16; step++)
            for (var round = 0; round < 4; round++)
                for (var shard = 0; shard < 16; shard++)
                    seeds.Add(Seeds.Derive(42, step, round, shard));

        Assert.Equal(seeds.Count, seeds.Distinct().Count());
    }

    [Fact]
    public void Should_depend_on_the_order_of_the_path_and_on_the_run_seed()
    {
        Assert.NotEqual(Seeds.Derive(42, 1, 2), Seeds.Derive(42, 2, 1));
        Assert.NotEqual(Seeds.Derive(42, 1, 2), Seeds.Derive(43, 1, 2));
        Assert.NotEqual(Seeds.Derive(42, 1), Seeds.Derive(42, 1, 0));
        Assert.Equal(Seeds.Derive(42, 1, 2), Seeds.Derive(42, 1, 2));
    }
}
