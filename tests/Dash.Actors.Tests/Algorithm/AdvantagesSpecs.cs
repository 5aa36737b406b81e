// Group advantages and gradient filtering as pure functions: GRPO's (r − mean) / (std + 1e-4) and DASH's |A| > τ.
using Dash.Actors.Algorithm;

namespace Dash.Actors.Tests.Algorithm;

public sealed class AdvantagesSpecs
{
    [Fact]
    public void Should_centre_each_reward_on_its_own_groups_mean()
    {
        var a = Advantages.Compute([1, 0, 0, 0, 1, 1, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1], scaleByStd: false);

        Assert.Equal([0.75f, -0.25f, -0.25f, -0.25f, 0.25f, 0.25f, 0.25f, -0.75f], a);
    }

    [Fact]
    public void Should_find_groups_by_id_whatever_order_their_rows_come_in()
    {
        var grouped = Advantages.Compute([1, 0, 0, 0, 1, 1, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1], scaleByStd: true);
        var interleaved = Advantages.Compute([1, 1, 0, 1, 0, 1, 0, 0], [0, 1, 0, 1, 0, 1, 0, 1], scaleByStd: true);

        Assert.Equal([grouped[0], grouped[4], grouped[1], grouped[5], grouped[2], grouped[6], grouped[3], grouped[7]], interleaved);
    }

    [Fact]
    public void Should_divide_by_the_unbiased_std_plus_epsilon_when_scaling()
    {
        var a = Advantages.Compute([1, 0, 0, 0], [3, 3, 3, 3], scaleByStd: true);

        var std = Math.Sqrt((0.75 * 0.75 + 3 * 0.25 * 0.25) / 3); // n − 1, as torch.std
        Assert.Equal((float)(0.75 / (std + Advantages.StdEpsilon)), a[0]);
        Assert.Equal((float)(-0.25 / (std + Advantages.StdEpsilon)), a[1]);
    }

    [Fact]
    public void Should_give_zero_advantage_to_groups_of_equal_rewards_and_to_single_rows()
    {
        Assert.Equal([0f, 0f, 0f, 0f], Advantages.Compute([1, 1, 1, 1], [0, 0, 0, 0], scaleByStd: true));
        Assert.Equal([0f], Advantages.Compute([1], [0], scaleByStd: true));
    }

    [Fact]
    public void Should_refuse_rewards_and_groups_of_different_lengths() =>
        Assert.Throws<ArgumentException>(() => Advantages.Compute([1, 0], [0], scaleByStd: false));

    [Fact]
    public void Should_drop_the_rows_of_all_right_or_all_wrong_groups_and_count_those_groups()
    {
        var result = Advantages.Filter([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], scaleByStd: false, tau: 0.1f);

        Assert.Equal([4, 5, 6, 7], result.Kept);
        Assert.Equal(8, result.Dropped);
        Assert.Equal(2, result.ZeroVarianceGroups);
        Assert.Equal(12, result.Advantages.Length);
    }

    [Fact]
    public void Should_keep_only_rows_strictly_above_the_threshold()
    {
        // Advantages ±0.5 in group 0, ±0.25 / 0.75 in group 1.
        var result = Advantages.Filter([1, 0, 1, 0, 1, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1], scaleByStd: false, tau: 0.5f);

        Assert.Equal([4], result.Kept);
    }

    [Fact]
    public void Should_keep_every_row_when_tau_is_negative()
    {
        var result = Advantages.Filter([1, 1, 0, 0], [0, 0, 1, 1], scaleByStd: false, tau: -1);

        Assert.Equal([0, 1, 2, 3], result.Kept);
        Assert.Equal(0, result.Dropped);
        Assert.Equal(2, result.ZeroVarianceGroups);
    }
}
