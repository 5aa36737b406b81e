// Turns Ctrl-C into a cancellation token for the duration of a command (the process is not killed; the command stops
// cleanly) and remembers that it happened, so the CLI exits 130 (128 + SIGINT) whatever the command returned.
namespace Dash.Host.Training;

internal sealed class CtrlC : IDisposable
{
    private static int _interrupted;
    private readonly CancellationTokenSource _cancel = new();
    private readonly ConsoleCancelEventHandler _handler;

    public CtrlC()
    {
        _handler = (_, e) =>
        {
            e.Cancel = true;
            Interlocked.Exchange(ref _interrupted, 1);
            _cancel.Cancel();
        };
        Console.CancelKeyPress += _handler;
    }

    /// <summary>Whether Ctrl-C stopped a command since the last <see cref="Reset"/>.</summary>
    public static bool Interrupted => Volatile.Read(ref _interrupted) == 1;

    /// <summary>Forgets an earlier Ctrl-C (each CLI invocation starts clean).</summary>
    public static void Reset() => Interlocked.Exchange(ref _interrupted, 0);

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= _handler;
        _cancel.Dispose();
    }
}
