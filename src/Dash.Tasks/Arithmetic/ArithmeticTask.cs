// The built-in default task: an unlimited, seeded stream of arithmetic problems and a fixed held-out set.
using Dash.Tasks.Sampling;

namespace Dash.Tasks.Arithmetic;

/// <summary>
/// Procedurally generated arithmetic. Problem i of a seed is always the same. Train and held-out are disjoint by
/// construction: the question space is split by a stable hash of the question text (one part in 16 is held out), the
/// train stream rejects held-out questions and the held-out stream keeps only them.
/// </summary>
public sealed class ArithmeticTask : IProblemSource
{
    private const ulong TrainStream = 1;
    private const ulong HeldOutStream = 2;
    private const int HeldOutModulus = 16;
    private readonly ArithmeticOptions _options;
    private readonly double[] _cumulative;
    private readonly Lazy<IReadOnlyList<Problem>> _heldOut;

    /// <summary>Creates the task; the options are validated.</summary>
    public ArithmeticTask(ArithmeticOptions? options = null)
    {
        _options = options ?? new ArithmeticOptions();
        _options.Validate();
        var total = _options.LevelMix.Sum(l => l.Weight);
        var running = 0.0;
        _cumulative = _options.LevelMix.Select(l => running += l.Weight / total).ToArray();
        _heldOut = new Lazy<IReadOnlyList<Problem>>(BuildHeldOut);
    }

    /// <inheritdoc />
    public string Name => TaskInfo.DefaultTaskName;

    /// <inheritdoc />
    public IReadOnlyList<Problem> HeldOut => _heldOut.Value;

    /// <summary>Whether a question belongs to the held-out part of the question space.</summary>
    public static bool IsHeldOutQuestion(string question) => SplitMix64.Hash(question) % HeldOutModulus == 0;

    /// <inheritdoc />
    public Problem Train(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = SplitMix64.ForIndex(_options.Seed, TrainStream, index);
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var (level, g) = Draw(ref rng);
            if (!IsHeldOutQuestion(g.Question)) return ToProblem($"arithmetic/train/{index}", level, g);
        }
        throw new InvalidOperationException("the level mix produces only held-out questions");
    }

    private IReadOnlyList<Problem> BuildHeldOut()
    {
        var problems = new List<Problem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rng = SplitMix64.ForIndex(_options.Seed, HeldOutStream, 0);
        // Asked for more problems than the levels have, it stops once 50,000 draws in a row brought nothing new.
        var limit = 200L * (_options.HeldOutCount + 10L);
        for (long attempt = 0, lastNew = 0; problems.Count < _options.HeldOutCount && attempt < limit && attempt - lastNew < 50_000; attempt++)
        {
            var (level, g) = Draw(ref rng);
            if (IsHeldOutQuestion(g.Question) && seen.Add(g.Question))
            {
                problems.Add(ToProblem($"arithmetic/heldout/{problems.Count}", level, g));
                lastNew = attempt;
            }
        }
        return problems;
    }

    private (int Level, ArithmeticGenerator.Generated Problem) Draw(ref SplitMix64 rng)
    {
        var u = rng.NextDouble();
        var i = 0;
        while (i < _cumulative.Length - 1 && (u >= _cumulative[i] || _options.LevelMix[i].Weight == 0)) i++;
        var level = _options.LevelMix[i].Level;
        return (level, ArithmeticGenerator.Generate(level, ref rng));
    }

    private static Problem ToProblem(string id, int level, ArithmeticGenerator.Generated g) =>
        new(id, g.Question, g.Answer, g.Solution, $"Level {level}", "arithmetic");
}
