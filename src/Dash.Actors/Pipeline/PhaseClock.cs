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
}
