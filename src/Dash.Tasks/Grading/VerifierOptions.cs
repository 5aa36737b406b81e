// Settings of the answer verifier: budgets, numeric tolerance, comparison rules and the format reward.
namespace Dash.Tasks.Grading;

/// <summary>Every knob of the verifier, with defaults from the paper's reference grader where it has one.</summary>
public sealed record VerifierOptions
{
    /// <summary>The default settings.</summary>
    public static VerifierOptions Default { get; } = new();

    /// <summary>Wall-clock budget of one verification; past it the verdict is "wrong" with a budget reason.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest completion (in characters) that is examined at all.</summary>
    public int MaxInputLength { get; init; } = 100_000;

    /// <summary>The longest extracted answer (in characters) that is parsed.</summary>
    public int MaxAnswerLength { get; init; } = 2_000;

    /// <summary>The deepest bracket or operator nesting the parser enters.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Relative tolerance of expressions without decimals compared at random points or with irrational parts.</summary>
    public double RelativeTolerance { get; init; } = 1e-8;

    /// <summary>
    /// Relative tolerance whenever a side is written with a decimal: decimal against decimal, and a decimal against an
    /// exact value (fraction, radical, \pi). Tight enough that only an exact decimal or a float's full print passes
    /// (0.0833333333333333 for \frac{1}{12}); hand-rounded decimals (3.14 for \pi, 0.333 for \frac{1}{3}) do not.
    /// </summary>
    public double DecimalTolerance { get; init; } = 1e-12;

    /// <summary>How many random points expressions with variables are compared at.</summary>
    public int RandomPoints { get; init; } = 4;

    /// <summary>Seed of the random points (comparisons are deterministic).</summary>
    public ulong Seed { get; init; } = 0x5EED_DA5Aul;

    /// <summary>
    /// Accept an exact prediction when the gold is a decimal with at least <see cref="MinRoundedDecimals"/> places and the
    /// prediction rounds to it (\frac{70}{9} for 7.78). A rounded prediction of an exact gold (3.14 for \pi) is never accepted.
    /// </summary>
    public bool AcceptRoundedDecimals { get; init; } = true;

    /// <summary>
    /// Math-Verify's <c>precision</c>: when positive, a decimal prediction is also accepted when it and the gold agree
    /// rounded to this many places (0.33 for \frac{1}{3} at 2). 0 (the default, and every reward) turns it off.
    /// </summary>
    public int PredictionPrecision { get; init; }

    /// <summary>The fewest decimal places a rounded decimal must show to be accepted.</summary>
    public int MinRoundedDecimals { get; init; } = 2;

    /// <summary>Accept a predicted inequality (x \ge 5) when the gold answer is an interval ([5, \infty)); the reverse is always accepted.</summary>
    public bool AcceptInequalityForInterval { get; init; }

    /// <summary>
    /// Compare bare lists ("1, -2") as sets, as Math-Verify does, instead of in order, as the Hendrycks grader does
    /// (its test_order pair requires order). Off by default.
    /// </summary>
    public bool UnorderedBareLists { get; init; }

    /// <summary>Which rules find the answer in a completion.</summary>
    public ExtractionOptions Extraction { get; init; } = ExtractionOptions.Default;

    /// <summary>Weight of the format reward (a \boxed answer present), added to the 0/1 correctness reward; 0 turns it off.</summary>
    public double FormatRewardWeight { get; init; }

    /// <summary>Checks the settings and names the bad one.</summary>
    public void Validate()
    {
        if (TimeBudget <= TimeSpan.Zero) throw new ArgumentException($"TimeBudget: {TimeBudget} must be positive");
        if (MaxInputLength <= 0) throw new ArgumentException($"MaxInputLength: {MaxInputLength} must be positive");
        if (MaxAnswerLength <= 0) throw new ArgumentException($"MaxAnswerLength: {MaxAnswerLength} must be positive");
        if (MaxDepth is < 4 or > 512) throw new ArgumentException($"MaxDepth: {MaxDepth} must be between 4 and 512");
        if (!(RelativeTolerance >= 0 && RelativeTolerance < 1)) throw new ArgumentException($"RelativeTolerance: {RelativeTolerance} must be in [0, 1)");
        if (!(DecimalTolerance >= 0 && DecimalTolerance < 1)) throw new ArgumentException($"DecimalTolerance: {DecimalTolerance} must be in [0, 1)");
        if (RandomPoints is < 1 or > 64) throw new ArgumentException($"RandomPoints: {RandomPoints} must be between 1 and 64");
        if (PredictionPrecision is < 0 or > 12) throw new ArgumentException($"PredictionPrecision: {PredictionPrecision} must be between 0 and 12");
        if (MinRoundedDecimals < 0) throw new ArgumentException($"MinRoundedDecimals: {MinRoundedDecimals} must not be negative");
        if (!double.IsFinite(FormatRewardWeight)) throw new ArgumentException($"FormatRewardWeight: {FormatRewardWeight} must be finite");
        if (Extraction is null) throw new ArgumentException("Extraction: must be set");
    }
}
