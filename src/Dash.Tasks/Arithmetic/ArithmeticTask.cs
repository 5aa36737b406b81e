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
            if (!IsHeldOutQuestion(g.Question)) return ToProblem($"arithmetic/train/{index}", level, g, rng.NextDouble());
        }
        throw new InvalidOperationException("the level mix produces only held-out questions");
    }

    // Stratified by level: the levels take turns by smooth weighted round-robin (equal weights alternate), each drawing
    // its next distinct held-out question from its own stream, so any prefix of the set is stratified and a larger set
    // starts with the smaller one. A level that runs out of questions (no new one in 50,000 draws) leaves the turns.
    private IReadOnlyList<Problem> BuildHeldOut()
    {
        var levels = _options.LevelMix.Where(l => l.Weight > 0).ToArray();
        var streams = levels.Select(l => SplitMix64.ForIndex(_options.Seed, HeldOutStream, l.Level)).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal); // one set: levels 2 and 3 can ask the same sum
        var open = levels.Select(_ => true).ToArray();
        var credit = new double[levels.Length];
        var problems = new List<Problem>();
        while (problems.Count < _options.HeldOutCount && open.Any(o => o))
        {
            var pick = -1;
            for (var i = 0; i < levels.Length; i++)
            {
                if (!open[i]) continue;
                credit[i] += levels[i].Weight;
                if (pick < 0 || credit[i] > credit[pick]) pick = i;
            }
            credit[pick] -= levels.Where((_, i) => open[i]).Sum(l => l.Weight);
            if (NextHeldOut(levels[pick].Level, ref streams[pick], seen) is { } g)
                problems.Add(ToProblem($"arithmetic/heldout/{problems.Count}", levels[pick].Level, g, 0));
            else
                open[pick] = false;
        }
        return problems;
    }

    private static ArithmeticGenerator.Generated? NextHeldOut(int level, ref SplitMix64 rng, HashSet<string> seen)
    {
        for (var attempt = 0; attempt < 50_000; attempt++)
        {
            var g = ArithmeticGenerator.Generate(level, ref rng);
            if (IsHeldOutQuestion(g.Question) && seen.Add(g.Question)) return g;
        }
        return null;
    }

    private (int Level, ArithmeticGenerator.Generated Problem) Draw(ref SplitMix64 rng)
    {
        var u = rng.NextDouble();
        var i = 0;
        while (i < _cumulative.Length - 1 && (u >= _cumulative[i] || _options.LevelMix[i].Weight == 0)) i++;
        var level = _options.LevelMix[i].Level;
        return (level, ArithmeticGenerator.Generate(level, ref rng));
    }

    // The reference solution: the human style, or the warm-up's (terse when the problem's draw u < TerseFraction).
    private Problem ToProblem(string id, int level, ArithmeticGenerator.Generated g, double u)
    {
        var solution = _options.Reference == ReferenceStyle.Human ? g.Human : u < _options.TerseFraction ? g.Terse : g.Worked;
        return new(id, g.Question, g.Answer, solution, $"Level {level}", "arithmetic");
    }
}
