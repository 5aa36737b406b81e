// The resume acceptance: a real `dash train` subprocess SIGKILLed at ≥ 10 random moments ends bit-identical to an unbroken run.
using Dash.Actors.Persistence;
using Xunit.Abstractions;

namespace Dash.Host.Tests.Crash;

public sealed class CrashResumeSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Steps = 8;
    private const int WarmupSteps = 6;
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-crash-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [Fact]
    public async Task Should_resume_a_repeatedly_killed_dash_train_to_the_bit_identical_result_with_every_step_committed_once()
    {
        var (crashDir, referenceDir) = (Directory.CreateDirectory(Path.Combine(_dir, "crashed")).FullName, Directory.CreateDirectory(Path.Combine(_dir, "reference")).FullName);
        var reference = Task.Run(() => DashProcess.Run(CrashLoop.TrainArgs(referenceDir, "crash", Steps), referenceDir, kill: null, delayMs: 0));

        var attempts = CrashLoop.KillUntilDone(CrashLoop.TrainArgs(crashDir, "crash", Steps), crashDir, seed: 6, kills: 12);

        foreach (var (at, delay, a) in attempts)
            output.WriteLine($"{at?.ToString() ?? "to the end"} +{delay} ms: exit {a.ExitCode} after {a.Elapsed.TotalSeconds:0.0} s, last line: {(a.Lines.Count > 0 ? a.Lines[^1] : "")}");
        Assert.Equal(0, (await reference).ExitCode);
        Assert.InRange(attempts.Count(a => a.Attempt.Killed), 10, int.MaxValue);
        // The warm-up run is named by its training configuration: both runs share the same (single) name.
        var warmup = Path.GetFileName(Assert.Single(Directory.GetDirectories(crashDir, "warmup-*")));
        Assert.True(Directory.Exists(Path.Combine(referenceDir, warmup)));
        CrashLoop.AssertSameRun(new RunFolder(Path.Combine(crashDir, warmup)), new RunFolder(Path.Combine(referenceDir, warmup)), WarmupSteps);
        CrashLoop.AssertSameRun(new RunFolder(Path.Combine(crashDir, "crash")), new RunFolder(Path.Combine(referenceDir, "crash")), Steps);
    }

    [Fact]
    public async Task Should_resume_a_killed_run_that_saves_every_few_steps_from_its_newest_checkpoint_to_the_same_training()
    {
        var (crashDir, referenceDir) = (Directory.CreateDirectory(Path.Combine(_dir, "crashed")).FullName, Directory.CreateDirectory(Path.Combine(_dir, "reference")).FullName);
        var reference = Task.Run(() => DashProcess.Run(CrashLoop.TrainArgs(referenceDir, "sparse", Steps), referenceDir, kill: null, delayMs: 0));

        // The warm-up saves after its 4th and 6th (last) step; the run after 2, 3, 4, 6 and 8 steps (every 3, and before
        // each evaluation: eval-every 2), so steps 1, 5 and 7 commit without a checkpoint.
        var sparse = CrashLoop.TrainArgs(crashDir, "sparse", Steps, "model.warmup-checkpoint-every=4", "coordinator.checkpoint-every=3");
        var attempts = CrashLoop.KillUntilDone(sparse, crashDir, seed: 14, kills: 10);

        foreach (var (at, delay, a) in attempts)
            output.WriteLine($"{at?.ToString() ?? "to the end"} +{delay} ms: exit {a.ExitCode} after {a.Elapsed.TotalSeconds:0.0} s, last line: {(a.Lines.Count > 0 ? a.Lines[^1] : "")}");
        Assert.Equal(0, (await reference).ExitCode);
        // Where checkpoints are written is no training setting: the warm-up keeps its name, shared with the reference's.
        var warmup = Path.GetFileName(Assert.Single(Directory.GetDirectories(crashDir, "warmup-*")));
        Assert.True(Directory.Exists(Path.Combine(referenceDir, warmup)));
        var rollbacks = CrashLoop.AssertSameTraining(new RunFolder(Path.Combine(crashDir, warmup)), new RunFolder(Path.Combine(referenceDir, warmup)), WarmupSteps)
                        + CrashLoop.AssertSameTraining(new RunFolder(Path.Combine(crashDir, "sparse")), new RunFolder(Path.Combine(referenceDir, "sparse")), Steps);
        Assert.InRange(rollbacks, 1, int.MaxValue); // Some kill came after a step committed without a checkpoint.
        // ... and the resume said where it goes on from, not "after" a step whose weights are gone.
        Assert.Contains(attempts.SelectMany(a => a.Attempt.Lines), l => l.StartsWith("Resuming run", StringComparison.Ordinal)
            && (l.Contains(", its newest checkpoint (", StringComparison.Ordinal) || l.Contains(" from step 0 (", StringComparison.Ordinal))
            && l.EndsWith(" run again.", StringComparison.Ordinal));
    }
}
