// The coordinator's durable decisions as pure functions of its journaled state (Decide); RunState.Apply folds the events in.
using System.Text.Json;
using Akka.Configuration;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>How a run starts or resumes: what to journal first, the checkpoint to load, a warning, or why it must not continue.</summary>
/// <param name="Journal">The event to persist before the pipeline starts (<see cref="RunStarted"/>, <see cref="RolledBack"/>), or null.</param>
/// <param name="ResumeFrom">The checkpoint folder the learner loads, or null to start from the initial weights.</param>
/// <param name="Refusal">Why the run must not continue (nothing is journaled), or null.</param>
public sealed record StartDecision(IRunEvent? Journal, string? ResumeFrom, string? Warning, string? Refusal)
{
    /// <summary>With a policy lag: the checkpoint whose weights the samplers resume with, one step older than
    /// <see cref="ResumeFrom"/> (null: the initial weights, or no lag).</summary>
    public string? BehaviourFrom { get; init; }
}

/// <summary>
/// Decide, for the persistent part of the coordinator: each function takes the run's durable state (a <see cref="RunState"/>,
/// itself a fold of the journal) and what happened, and returns what to journal or keep. The coordinator persists the
/// events and folds them in with <see cref="RunState.Apply"/>; these functions never touch the journal themselves.
/// </summary>
public static class RunDecisions
{
    /// <summary>On start: a fresh run journals <see cref="RunStarted"/>; a resumed one is refused if its configuration
    /// changed, and otherwise resumes from its newest checkpoint that verifies (journaling <see cref="RolledBack"/> past damaged ones).</summary>
    /// <param name="verify">Checks a committed step's checkpoint: null when it is intact, else what is wrong with it.</param>
    /// <param name="pathOf">Where a checkpoint folder of that name is (null: the run keeps no checkpoints).</param>
    /// <param name="lag">dash.sampling.max-policy-lag: with 1, a step is resumed from only if the checkpoint before it
    /// (the samplers' weights for the next step) verifies too, or it is the first step (the initial weights).</param>
    /// <param name="keepsCheckpoints">False for a run with no checkpoint folder (in-memory simulations): it resumes at its
    /// next step from the initial weights, with nothing to verify.</param>
    public static StartDecision Start(RunState state, RunContext run, long seed, DateTime now, Func<CommittedStep, string?> verify, Func<string, string?> pathOf,
        int lag = 0, bool keepsCheckpoints = true)
    {
        if (state.Started is null)
            return new(new RunStarted(run.RunId, run.ConfigText, run.ConfigHash, seed, RunContext.CodeVersion, now), null, null, null);
        if (ConfigRefusal(run, state.Started) is { } refusal) return new(null, null, null, refusal);
        if (state.Last is null || !keepsCheckpoints) return new(null, null, null, null);
        var problems = new List<string>();
        var steps = state.Steps;
        var unsaved = state.UnsavedSteps;
        if (unsaved > 0)
            problems.Add($"the last {(unsaved == 1 ? "step was" : $"{unsaved} steps were")} committed without a checkpoint (dash.coordinator.checkpoint-every)");
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var step = steps[i];
            if (step.Checkpoint.Length == 0) continue; // Committed between checkpoints: it runs again from the one before.
            if (verify(step) is { } problem)
            {
                problems.Add(problem);
                continue;
            }
            string? behaviour = null;
            if (lag > 0 && step.Step > 0)
            {
                var before = i > 0 && steps[i - 1].Step == step.Step - 1 ? steps[i - 1] : null;
                var unusable = before is null ? $"{step.Checkpoint} cannot be resumed with max-policy-lag = {lag}: the checkpoint before it is gone"
                    : verify(before) is { } p ? $"{step.Checkpoint} cannot be resumed with max-policy-lag = {lag}: {p}" : null;
                if (unusable is not null)
                {
                    problems.Add(unusable);
                    continue;
                }
                behaviour = pathOf(before!.Checkpoint);
            }
            if (problems.Count == 0) return new(null, pathOf(step.Checkpoint), null, null) { BehaviourFrom = behaviour };
            var reason = $"{string.Join("; ", problems)}. Falling back to the checkpoint after step {step.Step + 1} ({step.Checkpoint}); later steps run again.";
            return new(new RolledBack(step.Step, reason, now), pathOf(step.Checkpoint), reason, null) { BehaviourFrom = behaviour };
        }
        var none = $"{string.Join("; ", problems)}. No usable checkpoint is left: the run starts again from step 0.";
        return new(new RolledBack(-1, none, now), null, none, null);
    }

    /// <summary><see cref="Start"/> against a real checkpoint folder (none: nothing to verify or load).</summary>
    public static StartDecision Start(RunState state, RunContext run, long seed, DateTime now, int lag = 0) =>
        run.Checkpoints is { } store
            ? Start(state, run, seed, now, step => Problem(store, step), store.PathOf, lag)
            : Start(state, run, seed, now, _ => null, _ => null, lag, keepsCheckpoints: false);

    private static string? Problem(CheckpointStore store, CommittedStep step)
    {
        try
        {
            store.Verify(step.Checkpoint, step.Sha256);
            return null;
        }
        catch (Exception e) when (e is CheckpointException or IOException or JsonException)
        {
            return e.Message;
        }
    }

    /// <summary>A step whose checkpoint is durable: the event that commits it.</summary>
    public static StepCommitted Commit(StepReport report, CheckpointSaved checkpoint, DateTime now) =>
        new(report.Step, report.PolicyVersion, checkpoint.Name, checkpoint.Sha256, JsonSerializer.Serialize(report), now);

    public static EvalRecorded Record(EvalReport report) =>
        new(report.Step, report.PolicyVersion, report.Problems, report.Correct, JsonSerializer.Serialize(report));

    /// <summary>A journaled evaluation's report (older journals without one: its counts).</summary>
    public static EvalReport ReportOf(EvalRecorded e) =>
        JsonSerializer.Deserialize<EvalReport>(e.ReportJson) ?? new EvalReport(e.Step, e.PolicyVersion, e.Problems, e.Correct, 0, 0);

    /// <summary>Out of steps: <see cref="RunFinished"/>, or null when the journal already says so (a finished run run again).</summary>
    public static RunFinished? Finish(RunState state, long steps, DateTime now) => state.Finished ? null : new RunFinished(steps, now);

    /// <summary>Whether to save a snapshot after the event numbered <paramref name="sequenceNr"/> (every off = 0: never).</summary>
    public static bool SnapshotDue(long sequenceNr, int every) => every > 0 && sequenceNr % every == 0;

    /// <summary>The checkpoint folders to keep: the last <paramref name="keepLast"/> committed (at least one) and the best
    /// evaluated. (With a policy lag the coordinator keeps one more: resuming needs the checkpoint before the last.)</summary>
    public static IReadOnlySet<string> Retained(RunState state, int keepLast)
    {
        var keep = state.Steps.Where(s => s.Checkpoint.Length > 0).TakeLast(Math.Max(1, keepLast)).Select(s => s.Checkpoint).ToHashSet();
        if (state.Best is { } best) keep.Add(best.Checkpoint);
        return keep;
    }

    /// <summary>
    /// Whether the learner writes a checkpoint after step <paramref name="step"/> (0-based): every
    /// <paramref name="every"/> steps done (dash.coordinator.checkpoint-every), after the last step, and before every
    /// evaluation, so the best evaluated weights are on disk. With a policy lag every step is saved: resuming needs the
    /// checkpoint before the last as well.
    /// </summary>
    public static bool CheckpointDue(long step, RunSettings run, int every, int lag = 0)
    {
        var done = step + 1;
        return every <= 1 || lag > 0 || done >= run.Steps || done % every == 0 || EvalDue(done, run);
    }

    /// <summary>Whether a held-out evaluation belongs after <paramref name="steps"/> steps: before training, every eval-every steps, at the end.</summary>
    public static bool EvalDue(long steps, RunSettings run) =>
        run.EvalProblems > 0 && (steps == 0 || steps >= run.Steps || (run.EvalEvery > 0 && steps % run.EvalEvery == 0));

    /// <summary>On start: an evaluation that is due at <paramref name="step"/> and not journaled (a crash came between the
    /// step's commit and its evaluation) runs before training goes on.</summary>
    public static bool EvalOwed(RunState state, long step, RunSettings run) => EvalDue(step, run) && !state.Evals.Any(e => e.Step == step);

    /// <summary>Why <paramref name="run"/> must not continue a run started as <paramref name="started"/>, or null when it may.</summary>
    public static string? ConfigRefusal(RunContext run, RunStarted? started)
    {
        if (started is null || run.AllowConfigChange || started.ConfigHash == run.ConfigHashAsRecorded(started.ConfigText)) return null;
        var changed = ChangedKeys(started.ConfigText, run.ConfigText);
        return changed.Count == 0 ? null
            : $"run {run.RunId} was started with a different configuration; changed keys: {string.Join(", ", changed)}. " +
              "Use a new --run-id, or pass --allow-config-change to continue with the new values.";
    }

    /// <summary>
    /// dash.* keys whose values differ between two configurations, ignoring ones that do not change results and keys
    /// added since <paramref name="before"/> was recorded that keep their default (the older code behaved as that default).
    /// </summary>
    public static IReadOnlyList<string> ChangedKeys(string before, string after)
    {
        var harmless = RunContext.ResumableChanges;
        var a = before.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(SettingsLayers.UpgradeText(before)); // renamed keys under their new names
        var b = after.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(after);
        var added = ConfigLoader.UnrecordedDefaults(a, b);
        var keys = ConfigLoader.LeafPaths(a).Union(ConfigLoader.LeafPaths(b)).Where(k => !harmless.Contains(k) && !added.Contains(k)).Order(StringComparer.Ordinal);
        return [.. keys.Where(k => ConfigLoader.ValueOf(a, k) != ConfigLoader.ValueOf(b, k))];
    }
}
