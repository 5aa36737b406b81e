// The coordinator's one-line stops: a journal that cannot be written or read, a checkpoint that cannot, no sampler left.
using Akka.Persistence;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>What the coordinator tells its listener when the run cannot go on: each names the cause and how to resume.</summary>
internal static class RunStops
{
    public static string CheckpointFailed(CheckpointFailed m) =>
        $"{m.Reason}. Free space (or make the folder writable) and run the same command: the run resumes after step {m.Step}.";

    /// <summary>In one process no sampler will ever join again: the run ends with the cause instead of waiting.</summary>
    public static string NoSamplerLeft(string lastError, long committedSteps) =>
        $"every sampler stopped after failing repeatedly (last error: {lastError}). " + (committedSteps > 0
            ? "The run is intact up to its last committed step; fix the cause and run the same command to resume."
            : "No step was committed; fix the cause and run the same command to start it.");

    /// <summary>The journal failed to write: a stop for a full or read-only disk (a restart would fail the same way), a
    /// warning for anything else (an unreachable server is retried by the supervisor with back-off).</summary>
    public static object OnPersist(Exception cause, object @event, long sequenceNr, RunContext run, long nextStep) =>
        Disk(cause, "writing to", run, nextStep) is { } disk ? new TrainingFailed(disk)
            : new TrainingWarning($"writing {@event.GetType().Name} #{sequenceNr} to the run journal failed: {cause.Message}");

    /// <summary>A recovery that times out may be a journal plugin that could not write its tables to a full disk.</summary>
    public static object OnRecovery(Exception reason, RunContext run)
    {
        var disk = Disk(reason, "reading", run, 0);
        if (disk is null && reason is RecoveryTimedOutException && run.JournalPath is { } path)
        {
            try
            {
                DiskFault.RequireRoom(Path.GetDirectoryName(path)!);
            }
            catch (DiskFullException e)
            {
                disk = Disk(e, "reading", run, 0);
            }
        }
        return disk is not null ? new TrainingFailed(disk) : new TrainingWarning($"reading the run journal failed: {reason.Message}");
    }

    public static string Rejected(Exception cause, object @event, long sequenceNr) =>
        $"the run journal rejected {@event.GetType().Name} #{sequenceNr}: {cause.Message}. The run stopped; " +
        "nothing after the last committed step was applied, and running the same command resumes it.";

    /// <summary>The one-line stop for a journal failure caused by its disk (full, read-only), or null for other causes.</summary>
    private static string? Disk(Exception cause, string doing, RunContext run, long nextStep)
    {
        if (DiskFault.Describe(cause) is not { } what) return null;
        var advice = run.JournalPath is { } path
            ? DiskFault.Advice(what, Path.GetDirectoryName(path)!)
            : "Free space on the PostgreSQL server (or make it writable)";
        var resume = doing == "reading" ? "the run resumes after its last committed step"
            : nextStep > 0 ? $"the run resumes after step {nextStep}" : "the run starts from the beginning";
        return $"{doing} the run journal {run.JournalPath ?? "(PostgreSQL)"} failed: {what}. {advice}, then run the same command: {resume}.";
    }
}
