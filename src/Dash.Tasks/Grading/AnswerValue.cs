// The structured form of an answer: a scalar, a sequence (tuple, set, list, matrix), an interval, a union or a relation.
namespace Dash.Tasks.Grading;

/// <summary>A parsed answer.</summary>
public abstract record AnswerValue;

/// <summary>One expression, or free text when <see cref="Expr"/> is null. <see cref="Key"/> is its spaceless spelling.</summary>
public sealed record ScalarValue(string Key, Expr? Expr) : AnswerValue;

/// <summary>How the items of a sequence compare.</summary>
public enum SequenceKind
{
    /// <summary>(a, b, c): ordered.</summary>
    Tuple,

    /// <summary>[a, b, c] with more than two items: ordered.</summary>
    Bracket,

    /// <summary>a, b, c without brackets: ordered (as the Hendrycks grader compares them).</summary>
    Bare,

    /// <summary>\{a, b\}, a list of tuples, several boxed answers, or a ± pair: unordered, duplicates ignored.</summary>
    Set,

    /// <summary>x = 1, y = 2: unordered against another such list (matched by name), positional against anything else.</summary>
    Assignments,

    /// <summary>a:b: ordered.</summary>
    Ratio,

    /// <summary>A matrix whose items are its rows (tuples).</summary>
    Matrix,
}

/// <summary>A sequence of answers.</summary>
public sealed record SequenceValue(SequenceKind Kind, IReadOnlyList<AnswerValue> Items) : AnswerValue;

/// <summary>An interval with open or closed ends.</summary>
public sealed record IntervalValue(AnswerValue Low, AnswerValue High, bool LowClosed, bool HighClosed) : AnswerValue
{
    /// <summary>Whether the interval was written as a double inequality (a \le x &lt; b).</summary>
    public bool FromInequality { get; init; }
}

/// <summary>A union of intervals or sets (A \cup B).</summary>
public sealed record UnionValue(IReadOnlyList<AnswerValue> Parts) : AnswerValue;

/// <summary>A relation "lhs op rhs" with op one of = &lt; \le &gt; \ge \ne.</summary>
public sealed record RelationValue(AnswerValue Left, string Op, AnswerValue Right) : AnswerValue;
