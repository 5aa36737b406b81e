// A full disk while a checkpoint is written is a stop in seconds with one line, never a hang; temp folders do not linger.
using System.Diagnostics;
using Dash.Host.Tests.Crash;
using Xunit.Abstractions;

namespace Dash.Host.Tests.Runs;

public sealed class DiskFullSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly TinyRuns _runs = new();
    private string? _mounted;

    public void Dispose()
    {
        if (_mounted is not null) Exec("umount", _mounted);
        _runs.Dispose();
    }

    private static int Exec(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [Fact]
    public void Should_stop_in_seconds_when_the_checkpoint_folder_is_full()
    {
        if (Environment.UserName != "root")
        {
            output.WriteLine("skipped: mounting a small tmpfs needs root (CI runs as root).");
            return;
        }
        var checkpoints = Directory.CreateDirectory(Path.Combine(_runs.Run("full"), "checkpoints")).FullName;
        Assert.Equal(0, Exec("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", checkpoints));
        _mounted = checkpoints;

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var r = DashProcess.Run(_runs.Args("full", 2), _runs.Dir, kill: null, delayMs: 0, timeoutSeconds: 60);

            Assert.Equal(2, r.ExitCode);
            var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("checkpoint", line, StringComparison.Ordinal);
            Assert.Contains("space", line, StringComparison.Ordinal);
            Assert.Empty(Directory.GetDirectories(checkpoints, ".tmp-*"));
        }
    }

    [Fact]
    public void Should_clean_temporary_checkpoint_folders_left_by_a_killed_run_at_the_next_start()
    {
        var leftover = Directory.CreateDirectory(Path.Combine(_runs.Run("leftover"), "checkpoints", ".tmp-step-000001-99999")).FullName;
        File.WriteAllText(Path.Combine(leftover, "model.safetensors"), "partial");

        Assert.Equal(0, _runs.Train("leftover", 1).ExitCode);

        Assert.False(Directory.Exists(leftover));
    }
}
