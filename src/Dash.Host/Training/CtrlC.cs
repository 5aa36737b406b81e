// Turns Ctrl-C into a cancellation token for the duration of a command (the process is not killed; the command stops
// cleanly) and remembers that it happened, so the CLI exits 130 (128 + SIGINT) whatever the command returned. A stop
// that has not finished StopGrace after Ctrl-C exits the process with 130 anyway: steps are committed atomically, so this
// is as safe as a SIGKILL, which resumes bit-exactly.
namespace Dash.Host.Training;

internal sealed class CtrlC : IDisposable
{
    private static int _interrupted;

    /// <summary>How long a stop may take after Ctrl-C before the process exits without waiting for it.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);
    private readonly CancellationTokenSource _cancel = new();
    private readonly ConsoleCancelEventHandler _handler;

    public CtrlC()
    {
        _handler = (_, e) =>
        {
            e.Cancel = true;
            if (Interlocked.Exchange(ref _interrupted, 1) == 0) new Thread(ExitIfStillRunningAfterGrace) { IsBackground = true, Name = "dash-ctrl-c" }.Start();
            _cancel.Cancel();
        };
        Console.CancelKeyPress += _handler;
    }

    /// <summary>Whether Ctrl-C stopped a command since the last <see cref="Reset"/>.</summary>
    public static bool Interrupted => Volatile.Read(ref _interrupted) == 1;

    /// <summary>Forgets an earlier Ctrl-C (each CLI invocation starts clean).</summary>
    public static void Reset() => Interlocked.Exchange(ref _interrupted, 0);

    public CancellationToken Token => _cancel.Token;

    /// <summary>On a thread of its own (a busy thread pool cannot delay it). Exits with libc's <c>_exit</c>, which runs no
    /// exit handlers: <see cref="Environment.Exit"/> runs them, and one that waits for the stuck stop would hang it too.</summary>
    private static void ExitIfStillRunningAfterGrace()
    {
        Thread.Sleep(StopGrace);
        Console.Error.WriteLine($"dash: interrupted. The run had not stopped {StopGrace.TotalSeconds:F0} s after Ctrl-C, so dash exits now; everything up to the last committed step is saved; run the same command to resume.");
        Console.Error.Flush();
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                ExitNow(130);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // No libc: fall back to the managed exit.
            }
        }
        Environment.Exit(130);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);

    public void Dispose()
    {
        Console.CancelKeyPress -= _handler;
        _cancel.Dispose();
    }
}
