// The statistics behind the plots and the findings table: binomial (Wilson) and Student-t 95 % intervals, EMAs.
namespace Dash.Host.Output;

internal static class Stats
{
    /// <summary>The normal quantile of a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    // Student-t 0.975 quantiles for 1..30 degrees of freedom.
    private static readonly double[] T975 =
    [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314,
        2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];

    /// <summary>
    /// The Wilson score 95 % interval of a binomial proportion <paramref name="correct"/>/<paramref name="n"/>: stays in
    /// [0, 1] and is not degenerate at 0 or n correct (the normal approximation would give a zero-width band there).
    /// </summary>
    public static (double Low, double High) Wilson(int correct, int n)
    {
        if (n <= 0) return (0, 1);
        var p = (double)correct / n;
        var z2 = Z95 * Z95;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = Z95 / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>The Student-t quantile t(0.975, <paramref name="df"/>) (Cornish-Fisher expansion above 30 degrees of freedom).</summary>
    public static double TQuantile975(int df)
    {
        if (df < 1) throw new ArgumentOutOfRangeException(nameof(df), df, "needs at least one degree of freedom");
        if (df <= T975.Length) return T975[df - 1];
        const double z = Z95;
        return z + (z * z * z + z) / (4.0 * df) + (5 * Math.Pow(z, 5) + 16 * z * z * z + 3 * z) / (96.0 * df * df);
    }

    /// <summary>Mean and the half-width of its 95 % t-interval (NaN for fewer than two values: no interval).</summary>
    public static (double Mean, double HalfWidth) MeanInterval(IReadOnlyCollection<double> xs)
    {
        if (xs.Count == 0) return (double.NaN, double.NaN);
        var mean = xs.Average();
        if (xs.Count < 2) return (mean, double.NaN);
        var sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
        return (mean, TQuantile975(xs.Count - 1) * sd / Math.Sqrt(xs.Count));
    }

    /// <summary>
    /// Exponential moving average with span <paramref name="span"/> (alpha = 2 / (span + 1)), bias-corrected at the start so
    /// the first values are not pulled towards 0.
    /// </summary>
    public static double[] Ema(IReadOnlyList<double> xs, double span)
    {
        var alpha = 2 / (span + 1);
        var result = new double[xs.Count];
        double sum = 0, weight = 0;
        for (var i = 0; i < xs.Count; i++)
        {
            sum = (1 - alpha) * sum + alpha * xs[i];
            weight = (1 - alpha) * weight + alpha;
            result[i] = sum / weight;
        }
        return result;
    }

    /// <summary>The EMA span used for <paramref name="n"/> steps: a tenth of the run, between 1 and 25 steps.</summary>
    public static int EmaSpan(int n) => Math.Clamp(n / 10, 1, 25);

    /// <summary>
    /// The top of a rate axis that starts at 0: the smallest of 0.1, 0.2, 0.3, ... 1.0 above <paramref name="max"/> (plus
    /// a little headroom), so small changes are drawn at their true size.
    /// </summary>
    public static double RateAxisTop(double max) => Math.Min(1.0, Math.Max(0.1, Math.Ceiling((max + 0.02) * 10 - 1e-9) / 10));
}
