// Settings of the built-in arithmetic task: the seed, the level mix and the size of the held-out set.
namespace Dash.Tasks.Arithmetic;

/// <summary>One level of the mix and its relative weight.</summary>
public sealed record LevelWeight(int Level, double Weight);

/// <summary>Configuration of <see cref="ArithmeticTask"/>.</summary>
public sealed record ArithmeticOptions
{
    /// <summary>The easiest level (a+b with one-digit numbers).</summary>
    public const int MinLevel = 1;

    /// <summary>The hardest level (fractions).</summary>
    public const int MaxLevel = 6;

    /// <summary>The seed of the train and held-out streams.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Which levels the problems come from, with weights; the default weights every level equally.</summary>
    public IReadOnlyList<LevelWeight> LevelMix { get; init; } =
        Enumerable.Range(MinLevel, MaxLevel).Select(l => new LevelWeight(l, 1)).ToArray();

    /// <summary>How many held-out problems to generate (fewer when the chosen levels have fewer distinct ones).</summary>
    public int HeldOutCount { get; init; } = 500;

    /// <summary>Checks the settings and names the bad one.</summary>
    public void Validate()
    {
        if (LevelMix.Count == 0) throw new ArgumentException("LevelMix: at least one level is required");
        foreach (var (level, weight) in LevelMix)
        {
            if (level is < MinLevel or > MaxLevel) throw new ArgumentException($"LevelMix: level {level} is outside {MinLevel}..{MaxLevel}");
            if (!(weight >= 0) || double.IsInfinity(weight)) throw new ArgumentException($"LevelMix: weight {weight} of level {level} must be finite and non-negative");
        }
        if (LevelMix.Sum(l => l.Weight) <= 0) throw new ArgumentException("LevelMix: the weights sum to zero");
        if (HeldOutCount < 0) throw new ArgumentException($"HeldOutCount: {HeldOutCount} must not be negative");
    }
}
