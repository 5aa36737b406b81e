// Kills a real dash train subprocess at seeded random moments until it finishes, then compares it with an uninterrupted run.
using Dash.Actors.Persistence;

namespace Dash.Host.Tests.Crash;

public static class CrashLoop
{
    /// <summary>A tiny built-in run (warm-up included) that takes a few seconds: 6 warm-up steps, then <paramref name="steps"/> RL steps.</summary>
    public static string[] TrainArgs(string runsDir, string id, int steps, params string[] sets)
    {
        string[] baseSets = ["model.warmup-steps=6", "model.warmup-batch=8", "model.warmup-checkpoint-every=1", "sampling.prompts-per-step=4", "sampling.batch-size=16",
            "run.eval-problems=8", "run.eval-every=2", "sampling.max-new-tokens=16", .. sets];
        return ["train", "--runs-dir", runsDir, "--run-id", id, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. baseSets.SelectMany(s => new[] { "--set", s })];
    }

    /// <summary>
    /// Runs the command, SIGKILLing it at <paramref name="kills"/> seeded random moments (every <see cref="KillAt"/> kind
    /// at least once when kills ≥ 5), restarting it each time, then lets it run to the end. Returns every attempt.
    /// </summary>
    public static List<(KillAt? At, int DelayMs, Attempt Attempt)> KillUntilDone(
        string[] args, string runsDir, int seed, int kills, IDictionary<string, string>? env = null)
    {
        var rng = new Random(seed);
        // Every kind of moment in the run; WhenTold is not one (a spec kills the run when it has checked what it needed).
        var kinds = Enum.GetValues<KillAt>().Where(k => k != KillAt.WhenTold).ToArray();
        var plan = Enumerable.Range(0, kills).Select(i => i < kinds.Length * (kills / kinds.Length) ? kinds[i % kinds.Length] : kinds[rng.Next(kinds.Length)])
            .OrderBy(_ => rng.Next()).ToList();
        var attempts = new List<(KillAt?, int, Attempt)>();
        for (var i = 0; i < plan.Count + 1; i++)
        {
            KillAt? at = i < plan.Count ? plan[i] : null;
            var delay = at switch
            {
                KillAt.Delay => rng.Next(0, 1200),
                KillAt.AfterStepLine => rng.Next(0, 250),
                KillAt.AfterEvalLine => rng.Next(0, 150),
                KillAt.CheckpointWrite => rng.Next(0, 15),
                _ => 0,
            };
            var attempt = DashProcess.Run(args, runsDir, at, delay, env);
            attempts.Add((at, delay, attempt));
            if (attempt.Killed) continue;
            if (attempt.ExitCode != 0)
                throw new InvalidOperationException($"attempt {i + 1} failed with exit code {attempt.ExitCode}:\n{string.Join('\n', attempt.Lines)}\n{attempt.Error}");
            return attempts; // Finished (before or after the planned kills).
        }
        throw new InvalidOperationException("the final, unkilled attempt did not finish.");
    }

    /// <summary>A run's journal read back: committed steps, evaluations and checkpoints, in order.</summary>
    public sealed record JournalView(long[] Steps, string[] CheckpointHashes, (long Step, int Correct)[] Evals, int Started, int Finished, int RolledBack, bool EndsFinished);

    public static JournalView Read(RunFolder folder)
    {
        var events = folder.ReadEvents();
        var steps = events.OfType<StepCommitted>().ToArray();
        return new JournalView([.. steps.Select(s => s.Step)], [.. steps.Select(s => s.CheckpointSha256)],
            [.. events.OfType<EvalRecorded>().Select(e => (e.Step, e.Correct))], events.OfType<RunStarted>().Count(),
            events.OfType<RunFinished>().Count(), events.OfType<RolledBack>().Count(), events.Length > 0 && events[^1] is RunFinished);
    }

    /// <summary>SHA-256 of the final checkpoint's model weights of a run with <paramref name="steps"/> steps.</summary>
    public static string FinalModelSha256(RunFolder folder, int steps) =>
        CheckpointStore.Sha256Of(Path.Combine(new CheckpointStore(folder.Checkpoints).PathOf(CheckpointStore.NameOf(steps)), "model.safetensors"));

    /// <summary>
    /// Asserts a crashed-and-resumed run that saved a checkpoint only every few steps (dash.coordinator.checkpoint-every)
    /// trained what the uninterrupted <paramref name="reference"/> (saving every step) trained: once rollbacks to the newest
    /// checkpoint are folded in, the same steps with the same metrics and evaluations, every checkpoint it kept
    /// bit-identical to the reference's of that step, and the same final weights. Its only rollbacks are past unsaved
    /// steps (never a damaged checkpoint). Returns how many rollbacks the crashed run journaled.
    /// </summary>
    public static int AssertSameTraining(RunFolder crashed, RunFolder reference, int steps)
    {
        var (events, referenceEvents) = (crashed.ReadEvents(), reference.ReadEvents());
        var (c, r) = (events.Aggregate(RunState.Empty, (s, e) => s.Apply(e)), referenceEvents.Aggregate(RunState.Empty, (s, e) => s.Apply(e)));
        var expected = Enumerable.Range(0, steps).Select(i => (long)i).ToArray();
        Assert.Equal(expected, r.Steps.Select(s => s.Step));
        Assert.Equal(expected, c.Steps.Select(s => s.Step));
        Assert.All(r.Steps, s => Assert.NotEqual("", s.Sha256));
        var saved = c.Steps.Where(s => s.Checkpoint.Length > 0).ToArray();
        Assert.InRange(saved.Length, 1, steps - 1); // It did skip checkpoints.
        Assert.All(saved, s => Assert.Equal(r.Steps[(int)s.Step].Sha256, s.Sha256));
        static object Metrics(CommittedStep s)
        {
            var m = System.Text.Json.JsonSerializer.Deserialize<Dash.Actors.Protocol.StepReport>(s.ReportJson)!;
            return (m.Step, m.Samples, m.RewardMean, m.Kept, m.Dropped, m.SampledTokens, m.LearnedTokens, m.Loss, m.GradNorm);
        }
        Assert.Equal(r.Steps.Select(Metrics), c.Steps.Select(Metrics));
        Assert.Equal(r.Evals.Select(e => (e.Step, e.Correct)), c.Evals.Select(e => (e.Step, e.Correct)));
        var rollbacks = events.OfType<RolledBack>().ToArray();
        Assert.All(rollbacks, b => Assert.Contains("committed without a checkpoint", b.Reason, StringComparison.Ordinal));
        Assert.Equal((1, 1, true), (events.OfType<RunStarted>().Count(), events.OfType<RunFinished>().Count(), events[^1] is RunFinished));
        Assert.Equal(FinalModelSha256(reference, steps), FinalModelSha256(crashed, steps));
        return rollbacks.Length;
    }

    /// <summary>Asserts a crashed-and-resumed run equals the uninterrupted one and committed each of its steps exactly once.</summary>
    public static void AssertSameRun(RunFolder crashed, RunFolder reference, int steps)
    {
        var c = Read(crashed);
        var r = Read(reference);
        var expected = Enumerable.Range(0, steps).Select(i => (long)i).ToArray();
        Assert.Equal(expected, r.Steps);
        Assert.Equal(expected, c.Steps); // every step exactly once, in order
        Assert.Equal((1, 1, 0, true), (c.Started, c.Finished, c.RolledBack, c.EndsFinished));
        Assert.Equal(r.CheckpointHashes, c.CheckpointHashes); // every checkpoint's manifest (file sizes and SHA-256s) is bit-identical
        Assert.Equal(r.Evals, c.Evals);
        Assert.Equal(FinalModelSha256(reference, steps), FinalModelSha256(crashed, steps));
    }
}
