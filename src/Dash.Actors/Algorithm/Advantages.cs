// Group advantages, gradient filtering and micro-batch packing: the DASH batch maths as pure functions.
namespace Dash.Actors.Algorithm;

/// <summary>The result of filtering one batch: which rows survive and why the others do not.</summary>
/// <param name="Advantages">Per row, its advantage (aligned with the input rows).</param>
/// <param name="Kept">Indices of the rows whose |advantage| exceeds τ, in input order.</param>
/// <param name="ZeroVarianceGroups">Groups whose rewards are all equal (every advantage exactly 0).</param>
public sealed record FilterResult(float[] Advantages, int[] Kept, int ZeroVarianceGroups)
{
    public int Dropped => Advantages.Length - Kept.Length;
}

public static class Advantages
{
    /// <summary>Std-scaling epsilon of the reference implementation: A = (r − mean) / (std + 1e-4).</summary>
    public const float StdEpsilon = 1e-4f;

    /// <summary>
    /// GRPO group advantages: A_i = r_i − mean(r of i's group), divided by (std(group) + 1e-4) when
    /// <paramref name="scaleByStd"/>. Groups are identified by <paramref name="groupIds"/> (any order).
    /// </summary>
    public static float[] Compute(ReadOnlySpan<float> rewards, ReadOnlySpan<int> groupIds, bool scaleByStd)
    {
        if (rewards.Length != groupIds.Length) throw new ArgumentException("rewards and groupIds differ in length.");
        var sums = new Dictionary<int, (double Sum, double SumSq, int Count)>();
        for (var i = 0; i < rewards.Length; i++)
        {
            sums.TryGetValue(groupIds[i], out var s);
            sums[groupIds[i]] = (s.Sum + rewards[i], s.SumSq + (double)rewards[i] * rewards[i], s.Count + 1);
        }
        var result = new float[rewards.Length];
        for (var i = 0; i < rewards.Length; i++)
        {
            var (sum, sumSq, n) = sums[groupIds[i]];
            var mean = sum / n;
            var a = rewards[i] - mean;
            if (scaleByStd)
            {
                // Unbiased std as in torch.std (n − 1); a single-sample group has std 0.
                var variance = n > 1 ? Math.Max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
                a /= Math.Sqrt(variance) + StdEpsilon;
            }
            result[i] = (float)a;
        }
        return result;
    }

    /// <summary>
    /// Gradient filtering: keeps the rows with |A| &gt; τ (τ &lt; 0 keeps every row). With binary rewards and τ ≥ 0 this
    /// drops every group whose completions are all right or all wrong.
    /// </summary>
    public static FilterResult Filter(ReadOnlySpan<float> rewards, ReadOnlySpan<int> groupIds, bool scaleByStd, float tau)
    {
        var advantages = Compute(rewards, groupIds, scaleByStd);
        var kept = new List<int>(advantages.Length);
        for (var i = 0; i < advantages.Length; i++)
            if (tau < 0 || Math.Abs(advantages[i]) > tau) kept.Add(i);
        var groups = new Dictionary<int, (float Min, float Max)>();
        for (var i = 0; i < rewards.Length; i++)
        {
            var r = rewards[i];
            groups[groupIds[i]] = groups.TryGetValue(groupIds[i], out var mm) ? (Math.Min(mm.Min, r), Math.Max(mm.Max, r)) : (r, r);
        }
        var zeroVariance = groups.Values.Count(g => g.Min == g.Max);
        return new FilterResult(advantages, [.. kept], zeroVariance);
    }

    /// <summary>
    /// Packs rows into micro-batches of at most <paramref name="maxRows"/> rows and at most <paramref name="maxTokens"/>
    /// tokens (prompt + completion, padded to the longest row of the micro-batch), keeping the input order so results
    /// are deterministic. A row longer than <paramref name="maxTokens"/> gets a micro-batch of its own.
    /// </summary>
    /// <returns>Per micro-batch, indices into <paramref name="rowLengths"/>.</returns>
    public static int[][] PackMicroBatches(ReadOnlySpan<int> rowLengths, int maxRows, int maxTokens)
    {
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), "maxRows must be at least 1.");
        var batches = new List<int[]>();
        var current = new List<int>();
        var longest = 0;
        for (var i = 0; i < rowLengths.Length; i++)
        {
            var len = rowLengths[i];
            var newLongest = Math.Max(longest, len);
            var wouldHold = (current.Count + 1) * newLongest;
            if (current.Count > 0 && (current.Count >= maxRows || (maxTokens > 0 && wouldHold > maxTokens)))
            {
                batches.Add([.. current]);
                current.Clear();
                newLongest = len;
            }
            current.Add(i);
            longest = newLongest;
        }
        if (current.Count > 0) batches.Add([.. current]);
        return [.. batches];
    }
}
