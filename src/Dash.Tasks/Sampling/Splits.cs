// Deterministic shuffles and train/held-out splits driven by SplitMix64, independent of .NET's Random.
namespace Dash.Tasks.Sampling;

/// <summary>Pure, seeded reorderings of lists.</summary>
public static class Splits
{
    /// <summary>A Fisher–Yates shuffle of <paramref name="items"/> by <paramref name="seed"/>; the input is unchanged.</summary>
    public static T[] Shuffle<T>(IReadOnlyList<T> items, ulong seed)
    {
        var result = items.ToArray();
        var rng = new SplitMix64(SplitMix64.Mix(seed));
        for (var i = result.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }
        return result;
    }

    /// <summary>Shuffles by <paramref name="seed"/> and puts the first <paramref name="heldOutCount"/> items in the held-out part.</summary>
    public static (T[] Train, T[] HeldOut) TrainHeldOut<T>(IReadOnlyList<T> items, int heldOutCount, ulong seed)
    {
        if (heldOutCount < 0 || heldOutCount > items.Count)
            throw new ArgumentOutOfRangeException(nameof(heldOutCount), heldOutCount, $"must be between 0 and {items.Count}");
        var shuffled = Shuffle(items, seed);
        return (shuffled[heldOutCount..], shuffled[..heldOutCount]);
    }

    /// <summary>As <see cref="TrainHeldOut{T}(IReadOnlyList{T}, int, ulong)"/> with a held-out fraction in [0, 1].</summary>
    public static (T[] Train, T[] HeldOut) TrainHeldOut<T>(IReadOnlyList<T> items, double heldOutFraction, ulong seed)
    {
        if (heldOutFraction is < 0 or > 1 || double.IsNaN(heldOutFraction))
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "must be between 0 and 1");
        return TrainHeldOut(items, (int)Math.Round(items.Count * heldOutFraction), seed);
    }
}
