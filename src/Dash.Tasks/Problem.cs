// A reasoning problem with a checkable answer, as every dataset and the built-in task provide it.
namespace Dash.Tasks;

/// <summary>One problem: its question, the gold answer the verifier checks against and an optional worked solution.</summary>
public sealed record Problem(
    string Id,
    string Question,
    string GoldAnswer,
    string? Solution = null,
    string? Level = null,
    string? Subject = null);

/// <summary>
/// A source of problems: a deterministic, unlimited training stream (problem i is always the same) and a fixed
/// held-out set disjoint from it.
/// </summary>
public interface IProblemSource
{
    /// <summary>A short name such as "math" or "arithmetic".</summary>
    string Name { get; }

    /// <summary>Training problem number <paramref name="index"/> (0-based; every index is valid).</summary>
    Problem Train(long index);

    /// <summary>The held-out (evaluation) problems.</summary>
    IReadOnlyList<Problem> HeldOut { get; }
}
