// The interval maths behind the plots' bands and the findings table, against values computed independently.
using Dash.Host.Output;

namespace Dash.Host.Tests.Output;

public sealed class StatsSpecs
{
    [Theory]
    [InlineData(0, 10, 0.0, 0.277533)]
    [InlineData(5, 10, 0.236593, 0.763407)]
    [InlineData(36, 200, 0.132946, 0.239115)]
    [InlineData(200, 200, 0.981155, 1.0)]
    public void Should_give_the_wilson_95_percent_interval_of_a_proportion(int correct, int n, double low, double high)
    {
        var (l, h) = Stats.Wilson(correct, n);
        Assert.Equal(low, l, 1e-5);
        Assert.Equal(high, h, 1e-5);
    }

    [Theory]
    [InlineData(1, 12.7062)]
    [InlineData(2, 4.3027)]
    [InlineData(30, 2.0423)]
    [InlineData(31, 2.0395)]
    [InlineData(60, 2.0003)]
    [InlineData(1000, 1.9623)]
    public void Should_give_the_student_t_quantile_of_a_two_sided_95_percent_interval(int df, double t) =>
        Assert.Equal(t, Stats.TQuantile975(df), 3);

    [Fact]
    public void Should_give_the_mean_and_the_t_interval_half_width_over_seeds()
    {
        var (mean, half) = Stats.MeanInterval([1.0, 2.0, 3.0]);
        Assert.Equal(2.0, mean, 10);
        Assert.Equal(4.3027 / Math.Sqrt(3), half, 4); // t(0.975, 2) * sd 1 / sqrt(3)
        Assert.True(double.IsNaN(Stats.MeanInterval([5.0]).HalfWidth), "one seed has no interval");
    }

    [Fact]
    public void Should_smooth_with_a_bias_corrected_ema_that_starts_at_the_first_value()
    {
        var ema = Stats.Ema([1.0, 1.0, 1.0, 0.0, 0.0], span: 3);
        Assert.Equal([1.0, 1.0, 1.0], ema[..3]);
        Assert.InRange(ema[3], 0.4, 0.6);
        Assert.True(ema[4] < ema[3]);
    }

    [Theory]
    [InlineData(0.001, 0.1)]
    [InlineData(0.18, 0.2)]
    [InlineData(0.239, 0.3)]
    [InlineData(0.97, 1.0)]
    public void Should_start_rate_axes_at_zero_and_end_them_at_a_round_tenth(double max, double top) =>
        Assert.Equal(top, Stats.RateAxisTop(max), 10);
}
