// One writer per run: a second real `dash train` on a running run refuses at once naming the holder; a dead holder's lock is taken over.
using Dash.Host.Tests.Crash;

namespace Dash.Host.Tests.Runs;

public sealed class RunLockSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public async Task Should_refuse_a_second_writer_at_once_and_take_over_the_lock_of_a_killed_one()
    {
        var args = _runs.Args("locked", 4000);
        // The first run lives until this spec has checked everything against it, then is SIGKILLed, and `runs list` and
        // `runs show` run as processes of their own. Before, the first run died 20 s after its first step line and they
        // ran in-process: in one full CI run they waited minutes for the CLI harness's gate (another spec's in-process
        // training held it), the first run had died by then, and this failed.
        using var done = new CancellationTokenSource();
        var first = Task.Run(() => DashProcess.Run(args, _runs.Dir, KillAt.WhenTold, delayMs: 0, timeoutSeconds: 900, killNow: done.Token));
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (_runs.Checkpoints("locked").Length == 0 && DateTime.UtcNow < deadline && !first.IsCompleted) await Task.Delay(50);
            Assert.NotEmpty(_runs.Checkpoints("locked"));

            var second = DashProcess.Run(args, _runs.Dir, kill: null, delayMs: 0, timeoutSeconds: 60);
            var list = Dash("runs", "list").Single(l => l.StartsWith("locked ", StringComparison.Ordinal));
            var show = string.Join('\n', Dash("runs", "show", "locked"));

            Assert.False(first.IsCompleted, "the first run ended before the checks against it were done");
            Assert.Equal(2, second.ExitCode);
            Assert.Contains("pid", second.Error, StringComparison.Ordinal);
            Assert.Single(second.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(" running ", list, StringComparison.Ordinal);
            Assert.Contains("running (pid ", show, StringComparison.Ordinal);
        }
        finally
        {
            await done.CancelAsync();
        }
        Assert.True((await first).Killed);

        var third = DashProcess.Run(args, _runs.Dir, KillAt.AfterStepLine, delayMs: 0, timeoutSeconds: 60);
        Assert.True(third.Killed, $"the stale lock was not taken over: exit {third.ExitCode}, {third.Error}");
    }

    /// <summary>A quick dash command as a process of its own; its standard output's lines.</summary>
    private IReadOnlyList<string> Dash(params string[] command)
    {
        var attempt = DashProcess.Run([.. command, "--runs-dir", _runs.Dir], _runs.Dir, kill: null, delayMs: 0, timeoutSeconds: 120);
        Assert.True(attempt.ExitCode == 0, $"dash {string.Join(' ', command)} exited {attempt.ExitCode}: {attempt.Error}");
        return attempt.Lines;
    }
}
