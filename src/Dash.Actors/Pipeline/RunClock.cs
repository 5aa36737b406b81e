// The coordinator's clocks: wall seconds per phase of the step under way, totals over the run, and (with a policy lag,
// where steps overlap) each step's share of the run's wall time.
using System.Diagnostics;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

internal sealed class RunClock
{
    private readonly Stopwatch _run = Stopwatch.StartNew();
    private double _sinceCommit = -1, _evalSinceCommit; // Run seconds at the last commit (or the first lagged step), eval seconds since.

    /// <summary>Wall seconds per phase of the step under way.</summary>
    public PhaseClock Phases { get; } = new();

    /// <summary>Seconds per phase over the run: committed steps and evaluations.</summary>
    public Dictionary<string, double> Totals { get; } = [];

    public double Elapsed => _run.Elapsed.TotalSeconds;

    /// <summary>A step is committed: its phases add to the run's totals.</summary>
    public StepReport Committed(StepReport report)
    {
        foreach (var (phase, seconds) in report.PhaseSeconds) Totals[phase] = Totals.GetValueOrDefault(phase) + seconds;
        return report;
    }

    /// <summary>An evaluation took <paramref name="seconds"/>; they count in no step's wall time.</summary>
    public void Evaluated(double seconds)
    {
        Phases.Close();
        Totals[Protocol.Phases.Eval] = Totals.GetValueOrDefault(Protocol.Phases.Eval) + seconds;
        _evalSinceCommit += seconds;
    }

    /// <summary>With a lag: a step starts sampling; the first one starts the count of <see cref="LaggedWallSeconds"/>.</summary>
    public void LaggedStepStarts()
    {
        if (_sinceCommit < 0) (_sinceCommit, _evalSinceCommit) = (Elapsed, 0);
    }

    /// <summary>With a lag steps overlap, so a committed step's wall time is the time since the one before was committed
    /// (since the first step began, for the first), evaluations left out. Counting starts afresh.</summary>
    public double LaggedWallSeconds()
    {
        var now = Elapsed;
        var wall = now - _sinceCommit - _evalSinceCommit;
        (_sinceCommit, _evalSinceCommit) = (now, 0);
        return wall;
    }
}
