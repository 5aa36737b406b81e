// The verifier's judgement of one completion: correct or not, why, what answer it read and how long it took.
namespace Dash.Tasks.Grading;

/// <summary>The outcome of one verification. <see cref="Reward"/> is 1 when correct, else 0.</summary>
public sealed record Verdict(bool Correct, string Reason, string? Extracted, ExtractionRule Rule, TimeSpan Elapsed)
{
    /// <summary>Whether the verification stopped because its time, size or nesting budget ran out.</summary>
    public bool BudgetExhausted { get; init; }

    /// <summary>The binary correctness reward.</summary>
    public double Reward => Correct ? 1.0 : 0.0;
}
