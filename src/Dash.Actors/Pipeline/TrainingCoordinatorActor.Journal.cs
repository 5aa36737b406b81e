// The coordinator's durable side: start or resume from the journal, verify checkpoints, commit steps and evaluations.
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>A non-fatal problem the user should see (for example a checkpoint fallback).</summary>
public sealed record TrainingWarning(string Message) : IDashMessage;

public sealed partial class TrainingCoordinatorActor
{

    private void OnBegin()
    {
        _run.Checkpoints?.CleanTemporary(); // Left by a crash or a full disk in an earlier attempt.
        if (_state.Started is null)
        {
            Persist(new RunStarted(_run.RunId, _run.ConfigText, _run.ConfigHash, _settings.Run.Seed, RunContext.CodeVersion, DateTime.UtcNow), e =>
            {
                _state = _state.Apply(e);
                StartPipeline(resumeFrom: null);
            });
            return;
        }
        if (ConfigRefusal(_run, _state.Started) is { } refusal)
        {
            Fail(refusal);
            return;
        }
        _firstEval = _state.Evals.Count > 0 ? ToReport(_state.Evals[0]) : null;
        _lastEval = _state.Evals.Count > 0 ? ToReport(_state.Evals[^1]) : null;
        var (resume, rolledBackTo, reason) = FindUsableCheckpoint();
        if (rolledBackTo is { } step)
        {
            _listener.Tell(new TrainingWarning(reason!));
            Persist(new RolledBack(step, reason!, DateTime.UtcNow), e =>
            {
                _state = _state.Apply(e);
                StartPipeline(resume);
            });
            return;
        }
        StartPipeline(resume);
    }

    /// <summary>The newest committed checkpoint that verifies; older ones are tried in turn when newer ones are damaged.</summary>
    private (string? Path, long? RolledBackTo, string? Reason) FindUsableCheckpoint()
    {
        var last = _state.Last;
        if (last is null || _run.Checkpoints is null || last.Checkpoint.Length == 0) return (null, null, null);
        var problems = new List<string>();
        foreach (var step in _state.Steps.Reverse())
        {
            try
            {
                _run.Checkpoints.Verify(step.Checkpoint, step.Sha256);
                if (step.Step == last.Step) return (_run.Checkpoints.PathOf(step.Checkpoint), null, null);
                return (_run.Checkpoints.PathOf(step.Checkpoint), step.Step,
                    $"{string.Join("; ", problems)}. Falling back to the checkpoint after step {step.Step + 1} ({step.Checkpoint}); later steps run again.");
            }
            catch (Exception e) when (e is CheckpointException or IOException or JsonException)
            {
                problems.Add(e.Message);
            }
        }
        return (null, -1, $"{string.Join("; ", problems)}. No usable checkpoint is left: the run starts again from step 0.");
    }

    private void OnStepPublished()
    {
        // The learner writes the checkpoint while the samplers load the new weights; the sync phase is what remains.
        _phases.Enter(Phases.Checkpoint);
        _accumulator.Tell(new SaveCheckpoint(_step));
    }

    private void OnCheckpointSaved(CheckpointSaved m)
    {
        _pendingCheckpoint = m;
        WaitForSync(CompleteStep);
    }

    private CheckpointSaved? _pendingCheckpoint;

    private void OnCheckpointFailed(CheckpointFailed m) =>
        Fail($"{m.Reason}. Free space (or make the folder writable) and run the same command: the run resumes after step {m.Step}.");

    /// <summary>Journals the step (its checkpoint is already durable), then reports it and moves on.</summary>
    private void Commit(StepReport report, Action then)
    {
        var checkpoint = _pendingCheckpoint!;
        _pendingCheckpoint = null;
        var json = JsonSerializer.Serialize(report);
        Persist(new StepCommitted(report.Step, report.PolicyVersion, checkpoint.Name, checkpoint.Sha256, json, DateTime.UtcNow), e =>
        {
            _state = _state.Apply(e);
            if (_settings.Coordinator.SnapshotEvery > 0 && LastSequenceNr % _settings.Coordinator.SnapshotEvery == 0) SaveSnapshot(_state);
            ApplyRetention();
            _listener.Tell(report);
            then();
        });
    }

    private void RecordEval(EvalReport report, Action then)
    {
        Persist(new EvalRecorded(report.Step, report.PolicyVersion, report.Problems, report.Correct, JsonSerializer.Serialize(report)), e =>
        {
            _state = _state.Apply(e);
            ApplyRetention();
            _listener.Tell(report);
            then();
        });
    }

    private void ApplyRetention()
    {
        if (_run.Checkpoints is null) return;
        var keep = _state.Steps.TakeLast(Math.Max(1, _settings.Coordinator.KeepLast)).Select(s => s.Checkpoint).ToHashSet();
        if (_state.Best is { } best) keep.Add(best.Checkpoint);
        _run.Checkpoints.Retain(keep);
    }

    private void FinishRun()
    {
        if (_state.Finished)
        {
            Finish();
            return;
        }
        Persist(new RunFinished(_step, DateTime.UtcNow), e =>
        {
            _state = _state.Apply(e);
            Finish();
        });
    }

    private void Fail(string reason)
    {
        _listener.Tell(new TrainingFailed(reason));
        Context.Stop(Self);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The journal could not be written: this actor stops. A full or read-only disk ends the run (a restart would
        // fail the same way); anything else (an unreachable server) is retried by the supervisor with back-off.
        _listener.Tell(DiskFailure(cause, "writing to") is { } disk ? new TrainingFailed(disk)
            : new TrainingWarning($"writing {@event.GetType().Name} #{sequenceNr} to the run journal failed: {cause.Message}"));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // A recovery that times out may be a journal plugin that could not write its tables to a full disk.
        var disk = DiskFailure(reason, "reading");
        if (disk is null && reason is RecoveryTimedOutException && _run.JournalPath is { } path)
        {
            try
            {
                DiskFault.RequireRoom(Path.GetDirectoryName(path)!);
            }
            catch (DiskFullException e)
            {
                disk = DiskFailure(e, "reading");
            }
        }
        _listener.Tell(disk is not null ? new TrainingFailed(disk) : new TrainingWarning($"reading the run journal failed: {reason.Message}"));
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>The one-line stop for a journal failure caused by its disk (full, read-only), or null for other causes.</summary>
    private string? DiskFailure(Exception cause, string doing)
    {
        if (DiskFault.Describe(cause) is not { } what) return null;
        var advice = _run.JournalPath is { } path
            ? DiskFault.Advice(what, Path.GetDirectoryName(path)!)
            : "Free space on the PostgreSQL server (or make it writable)";
        var resume = doing == "reading" ? "the run resumes after its last committed step"
            : _state.NextStep > 0 ? $"the run resumes after step {_state.NextStep}" : "the run starts from the beginning";
        return $"{doing} the run journal {_run.JournalPath ?? "(PostgreSQL)"} failed: {what}. {advice}, then run the same command: {resume}.";
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The journal refused the event (it will refuse it again): stop cleanly; the step is not committed.
        Fail($"the run journal rejected {@event.GetType().Name} #{sequenceNr}: {cause.Message}. The run stopped; " +
             "nothing after the last committed step was applied, and running the same command resumes it.");
    }

    private static EvalReport ToReport(EvalRecorded e) =>
        JsonSerializer.Deserialize<EvalReport>(e.ReportJson) ?? new EvalReport(e.Step, e.PolicyVersion, e.Problems, e.Correct, 0, 0);

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
