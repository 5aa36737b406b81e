// A cooperative time and work budget that the parser, the evaluator and the comparer check inside their loops.
using System.Diagnostics;

namespace Dash.Tasks.Grading;

/// <summary>
/// Tracks a deadline and a nesting limit for one verification. Loops call <see cref="Step"/>; when the budget is
/// spent it raises <see cref="BudgetExceededException"/>, which the verifier turns into a "wrong" verdict.
/// </summary>
public sealed class Budget
{
    private readonly long _deadline;
    private readonly long _start;
    private int _steps;

    /// <summary>Creates a budget that ends <paramref name="time"/> from now.</summary>
    public Budget(TimeSpan time, int maxDepth = 64)
    {
        _start = Stopwatch.GetTimestamp();
        var ticks = (long)(time.TotalSeconds * Stopwatch.Frequency);
        _deadline = ticks <= 0 ? _start : _start + ticks;
        Time = time;
        MaxDepth = maxDepth;
    }

    /// <summary>The time this budget allows.</summary>
    public TimeSpan Time { get; }

    /// <summary>The deepest nesting a parser may enter.</summary>
    public int MaxDepth { get; }

    /// <summary>Time spent since the budget was created.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>A budget large enough never to run out in practice (for tools and tests).</summary>
    public static Budget Unlimited() => new(TimeSpan.FromDays(1), 256);

    /// <summary>Counts one unit of work and checks the clock every 32 units.</summary>
    public void Step()
    {
        if ((++_steps & 31) == 0) Check();
    }

    /// <summary>Checks the clock now.</summary>
    public void Check()
    {
        if (Stopwatch.GetTimestamp() > _deadline)
            throw new BudgetExceededException($"time budget of {Time.TotalMilliseconds:0.#} ms exhausted");
    }

    /// <summary>Fails when <paramref name="depth"/> exceeds the nesting limit.</summary>
    public void CheckDepth(int depth)
    {
        if (depth > MaxDepth) throw new BudgetExceededException($"nesting deeper than {MaxDepth} levels");
    }
}

/// <summary>Raised inside the grader when a budget runs out; never escapes the public verifier API.</summary>
public sealed class BudgetExceededException(string reason) : Exception(reason);
