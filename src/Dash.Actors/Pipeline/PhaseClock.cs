// Wall-clock time per named phase: entering a phase closes the one before.
using System.Diagnostics;

namespace Dash.Actors.Pipeline;

internal sealed class PhaseClock
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _current;
    private TimeSpan _since;

    public Dictionary<string, double> Seconds { get; } = [];

    public void Enter(string phase)
    {
        Close();
        _current = phase;
        _since = _clock.Elapsed;
    }

    public void Close()
    {
        if (_current is null) return;
        Seconds[_current] = Seconds.GetValueOrDefault(_current) + (_clock.Elapsed - _since).TotalSeconds;
        _current = null;
    }

    public void Reset()
    {
        Close();
        Seconds.Clear();
    }

    /// <summary>The seconds so far (the current phase's included), then starts counting afresh in the same phase.</summary>
    public Dictionary<string, double> Take()
    {
        var current = _current;
        Close();
        var taken = new Dictionary<string, double>(Seconds);
        Seconds.Clear();
        if (current is not null) Enter(current);
        return taken;
    }
}
