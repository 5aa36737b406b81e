// Settings of the built-in arithmetic task: the seed, the level mix and the size of the held-out set.
namespace Dash.Tasks.Arithmetic;

/// <summary>One level of the mix and its relative weight.</summary>
public sealed record LevelWeight(int Level, double Weight);

/// <summary>Which reference solutions the problems carry (what supervised training imitates).</summary>
public enum ReferenceStyle
{
    /// <summary>The warm-up's: a mix of terse answers (<see cref="ArithmeticOptions.TerseFraction"/>) and worked solutions.</summary>
    Warmup,

    /// <summary>Always worked out, in a person's style the warm-up never shows (the SFT baseline's "human traces").</summary>
    Human,
}

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

    /// <summary>
    /// How many held-out problems to generate, split between the levels by their weights (fewer when a level has fewer
    /// distinct ones), in an order that keeps any prefix of the list stratified.
    /// </summary>
    public int HeldOutCount { get; init; } = 500;

    /// <summary>The reference solutions supervised training sees.</summary>
    public ReferenceStyle Reference { get; init; } = ReferenceStyle.Warmup;

    /// <summary>
    /// Warm-up style only: the fraction of problems whose reference states the result at once instead of working it out
    /// (drawn per problem). Above one half, greedy decoding after the warm-up mostly answers tersely, while sampling often
    /// works the problem out: RL has something to find.
    /// </summary>
    public double TerseFraction { get; init; }

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
        if (!(TerseFraction is >= 0 and <= 1)) throw new ArgumentException($"TerseFraction: {TerseFraction} must be within 0..1");
        if (HeldOutCount < 0) throw new ArgumentException($"HeldOutCount: {HeldOutCount} must not be negative");
    }
}
