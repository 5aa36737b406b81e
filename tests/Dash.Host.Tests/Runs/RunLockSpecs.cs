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
        var args = _runs.Args("locked", 400);
        var first = Task.Run(() => DashProcess.Run(args, _runs.Dir, KillAt.AfterStepLine, delayMs: 20_000));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_runs.Checkpoints("locked").Length == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.NotEmpty(_runs.Checkpoints("locked"));

        var second = DashProcess.Run(args, _runs.Dir, kill: null, delayMs: 0, timeoutSeconds: 60);
        var list = _runs.Runs("list").Out.Split('\n').Single(l => l.StartsWith("locked ", StringComparison.Ordinal));
        var show = _runs.Runs("show", "locked").Out;

        Assert.False(first.IsCompleted, "the first run ended before the second one was refused");
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("pid", second.Error, StringComparison.Ordinal);
        Assert.Single(second.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(" running ", list, StringComparison.Ordinal);
        Assert.Contains("running (pid ", show, StringComparison.Ordinal);
        Assert.True((await first).Killed);

        var third = DashProcess.Run(args, _runs.Dir, KillAt.AfterStepLine, delayMs: 0, timeoutSeconds: 60);
        Assert.True(third.Killed, $"the stale lock was not taken over: exit {third.ExitCode}, {third.Error}");
    }
}
