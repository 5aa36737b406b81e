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

    private const int Free = 64; // KiB left on the run folder's tmpfs.

    // Reproduces an open gap (fails today): with the journal's disk nearly full, the journal's recovery times out after
    // 30 s ("Recovery timed out, didn't get snapshot") and the supervisor restarts the coordinator up to 5 times.
    [Fact(Skip = "open gap of issue 14: a journal on a full disk stops only after 5 recovery timeouts of 30 s (minutes), not in seconds")]
    public void Should_stop_in_seconds_when_the_journal_disk_is_full_and_resume_once_space_is_freed()
    {
        if (Environment.UserName != "root")
        {
            output.WriteLine("skipped: mounting a small tmpfs needs root (CI runs as root).");
            return;
        }
        // The run folder (journal.db) on a small tmpfs; its checkpoints bind-mounted from the ordinary disk.
        var run = Directory.CreateDirectory(_runs.Run("jfull")).FullName;
        Assert.Equal(0, Exec("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", run));
        _mounted = run;
        var checkpoints = Directory.CreateDirectory(Path.Combine(run, "checkpoints")).FullName;
        var elsewhere = Directory.CreateDirectory(_runs.Dir + "-checkpoints").FullName;
        Assert.Equal(0, Exec("mount", "--bind", elsewhere, checkpoints));
        var filler = Path.Combine(run, "filler");
        try
        {
            using (var f = File.Create(filler))
            {
                try
                {
                    while (true) f.Write(new byte[4096]);
                }
                catch (IOException)
                {
                    // Full.
                }
            }
            // Room for the lock file and the configuration, not for the journal's growth.
            using (var f = File.OpenWrite(filler)) f.SetLength(Math.Max(0, f.Length - (Free * 1024)));
            var clock = Stopwatch.StartNew();
            var r = DashProcess.Run(_runs.Args("jfull", 2), _runs.Dir, kill: null, delayMs: 0, timeoutSeconds: 60);

            output.WriteLine($"exit {r.ExitCode} in {clock.Elapsed}; stderr:\n{r.Error}\nstdout:\n{string.Join('\n', r.Lines)}");
            Assert.NotEqual(0, r.ExitCode);
            Assert.False(r.Killed);
            Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", r.Error + string.Join('\n', r.Lines), StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");

            File.Delete(filler);
            var resumed = DashProcess.Run(_runs.Args("jfull", 2), _runs.Dir, kill: null, delayMs: 0, timeoutSeconds: 60);
            Assert.True(resumed.ExitCode == 0, resumed.Error);
        }
        finally
        {
            Exec("umount", checkpoints);
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
