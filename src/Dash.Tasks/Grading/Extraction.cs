// What the answer extractor found in a completion, by which rule and why; and which rules it may use.
namespace Dash.Tasks.Grading;

/// <summary>The rule that produced an extracted answer.</summary>
public enum ExtractionRule
{
    /// <summary>Nothing was found.</summary>
    None,

    /// <summary>The last \boxed{…} or \fbox{…} (adjacent boxes combine into a set).</summary>
    Boxed,

    /// <summary>"The (final) answer is …".</summary>
    AnswerIs,

    /// <summary>GSM8K's "#### N".</summary>
    Gsm8kHashes,

    /// <summary>The last $…$, $$…$$, \(…\) or \[…\] segment.</summary>
    LastMath,

    /// <summary>The whole (short, answer-like) text.</summary>
    WholeText,

    /// <summary>The last number in the text.</summary>
    LastNumber,
}

/// <summary>An extracted answer: <see cref="Answer"/> is null when nothing was found; <see cref="Reason"/> says why.</summary>
public sealed record Extraction(string? Answer, ExtractionRule Rule, string Reason)
{
    /// <summary>Whether an answer was found.</summary>
    public bool Found => Answer is not null;

    /// <summary>Nothing found, for the given reason.</summary>
    public static Extraction NotFound(string reason) => new(null, ExtractionRule.None, reason);
}

/// <summary>Which extraction rules are enabled. Boxed and "answer is" outrank math segments and numbers.</summary>
public sealed record ExtractionOptions
{
    /// <summary>Every rule on: what the verifier uses unless told otherwise.</summary>
    public static ExtractionOptions Default { get; } = new();

    /// <summary>Only \boxed{…}: the paper's reference grader.</summary>
    public static ExtractionOptions BoxedOnly { get; } = new() { AnswerIs = false, Gsm8kHashes = false, LastMath = false, WholeText = false, LastNumber = false };

    /// <summary>LaTeX-marked answers only (boxed, "answer is", math segments), no bare numbers or whole text.</summary>
    public static ExtractionOptions LatexOnly { get; } = new() { WholeText = false, LastNumber = false };

    /// <summary>Use the last \boxed{…} / \fbox{…}.</summary>
    public bool Boxed { get; init; } = true;

    /// <summary>Use "The (final) answer is …".</summary>
    public bool AnswerIs { get; init; } = true;

    /// <summary>Use GSM8K's "#### N".</summary>
    public bool Gsm8kHashes { get; init; } = true;

    /// <summary>Use the last LaTeX math segment.</summary>
    public bool LastMath { get; init; } = true;

    /// <summary>Use the whole text when it is short and answer-like.</summary>
    public bool WholeText { get; init; } = true;

    /// <summary>Fall back on the last number.</summary>
    public bool LastNumber { get; init; } = true;

    /// <summary>The longest text the whole-text rule accepts.</summary>
    public int WholeTextMaxLength { get; init; } = 200;
}
