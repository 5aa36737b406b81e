// Runs the built dash command as a real subprocess (dotnet dash.dll) and SIGKILLs it at a chosen moment of a run.
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dash.Host.Tests.Crash;

/// <summary>When to kill a dash process: after a delay, after a step/eval line, or inside a checkpoint or journal write.</summary>
public enum KillAt
{
    /// <summary>A delay after a run's "Training run"/"Resuming run" line, at the latest at its first step line.</summary>
    Delay,
    /// <summary>A delay after the first "step N/M" line (inside the next step).</summary>
    AfterStepLine,
    /// <summary>A delay after the first "eval after step" line.</summary>
    AfterEvalLine,
    /// <summary>As soon as a checkpoint's temporary folder exists (mid checkpoint write).</summary>
    CheckpointWrite,
    /// <summary>As soon as a new checkpoint folder is renamed into place, before its StepCommitted is journaled.</summary>
    JournalWrite,
    /// <summary>When the caller's <c>killNow</c> token is cancelled (a test that checks things while the run is alive).</summary>
    WhenTold,
}

/// <summary>One attempt's outcome: the exit code (137 when killed), whether the kill happened, and what it printed.</summary>
public sealed record Attempt(int ExitCode, bool Killed, IReadOnlyList<string> Lines, string Error, TimeSpan Elapsed);

public static class DashProcess
{
    /// <summary>
    /// The dash.dll built in this test's configuration: src/Dash.Host/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ (built as this
    /// project's reference), else the copy next to this test assembly.
    /// </summary>
    public static string DllPath { get; } = Locate();

    private static string Locate()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (tfm, configuration) = (output.Name, output.Parent?.Name ?? "Release");
        var candidates = new List<string>();
        for (var dir = output; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dash.sln")))
            {
                candidates.Add(Path.Combine(dir.FullName, "src", "Dash.Host", "bin", configuration, tfm, "dash.dll"));
                break;
            }
        candidates.Add(Path.Combine(output.FullName, "dash.dll"));
        return candidates.FirstOrDefault(c => File.Exists(c) && File.Exists(Path.ChangeExtension(c, ".runtimeconfig.json")))
            ?? throw new FileNotFoundException($"dash.dll not found (looked at {string.Join(", ", candidates)}); build src/Dash.Host first.");
    }

    /// <summary>
    /// Runs <c>dash</c> with <paramref name="args"/>; kills it (SIGKILL) at <paramref name="kill"/> + <paramref name="delayMs"/>
    /// if it is still running (with <see cref="KillAt.WhenTold"/>: once <paramref name="killNow"/> is cancelled).
    /// </summary>
    public static Attempt Run(IReadOnlyList<string> args, string runsDir, KillAt? kill, int delayMs, IDictionary<string, string>? env = null, int timeoutSeconds = 120,
        CancellationToken killNow = default)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = runsDir };
        start.ArgumentList.Add(DllPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        var lines = new ConcurrentQueue<string>();
        var error = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        var checkpointsBefore = Checkpoints(runsDir).ToHashSet(StringComparer.Ordinal);
        using var p = new Process { StartInfo = start };
        TimeSpan? triggered = null;
        long runLine = 0, stepLine = 0, evalLine = 0; // When the first such line appeared (ticks), set by the output reader.
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            var now = clock.Elapsed.Ticks;
            if (e.Data.StartsWith("Training run", StringComparison.Ordinal) || e.Data.StartsWith("Resuming run", StringComparison.Ordinal))
                Interlocked.CompareExchange(ref runLine, now, 0);
            if (e.Data.StartsWith("step ", StringComparison.Ordinal)) Interlocked.CompareExchange(ref stepLine, now, 0);
            if (e.Data.StartsWith("eval after step", StringComparison.Ordinal)) Interlocked.CompareExchange(ref evalLine, now, 0);
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (error) error.AppendLine(e.Data);
        };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var killed = false;
        while (!p.WaitForExit(1))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"dash {string.Join(' ', args)} ran over {timeoutSeconds} s; printed: {string.Join('\n', lines)}\n{error}");
            }
            if (kill is null) continue;
            static TimeSpan? Seen(ref long ticks) => Interlocked.Read(ref ticks) is var t and > 0 ? TimeSpan.FromTicks(t) : null;
            if (kill == KillAt.Delay && Seen(ref stepLine) is not null) triggered = TimeSpan.Zero; // At the latest at the first step.
            triggered ??= kill switch
            {
                KillAt.Delay => Seen(ref runLine),
                KillAt.AfterStepLine => Seen(ref stepLine),
                KillAt.AfterEvalLine => Seen(ref evalLine),
                KillAt.WhenTold when killNow.IsCancellationRequested => clock.Elapsed,
                KillAt.CheckpointWrite when Checkpoints(runsDir).Any(c => Path.GetFileName(c).StartsWith(".tmp-", StringComparison.Ordinal)) => clock.Elapsed,
                KillAt.JournalWrite when Checkpoints(runsDir).Any(c => Path.GetFileName(c).StartsWith("step-", StringComparison.Ordinal) && !checkpointsBefore.Contains(c)) => clock.Elapsed,
                _ => null,
            };
            if (triggered is { } at && clock.Elapsed >= at + TimeSpan.FromMilliseconds(at == TimeSpan.Zero ? 0 : delayMs))
            {
                p.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no flushing.
                p.WaitForExit();
                killed = true;
                break;
            }
        }
        p.WaitForExit(); // Drains the redirected output.
        return new Attempt(killed ? 137 : p.ExitCode, killed, [.. lines], error.ToString(), clock.Elapsed);
    }

    /// <summary>Every checkpoint folder (and temporary one) of every run under <paramref name="runsDir"/>.</summary>
    private static IEnumerable<string> Checkpoints(string runsDir)
    {
        foreach (var run in SafeDirectories(runsDir))
            foreach (var c in SafeDirectories(Path.Combine(run, "checkpoints")))
                yield return c;
    }

    private static string[] SafeDirectories(string path)
    {
        try
        {
            return Directory.Exists(path) ? Directory.GetDirectories(path) : [];
        }
        catch (IOException)
        {
            return []; // A folder renamed or deleted while listing.
        }
    }
}
