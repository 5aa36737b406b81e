// The events a run journals: started, step committed (with its checkpoint), evaluation recorded, rolled back.
namespace Dash.Actors.Persistence;

/// <summary>Marker for journaled run events and snapshots; bound to <see cref="RunEventSerializer"/>.</summary>
public interface IRunEvent;

/// <summary>The run began with this configuration (HOCON text of every dash.* key), its SHA-256, seed and code version.</summary>
public sealed record RunStarted(string RunId, string ConfigText, string ConfigHash, long Seed, string CodeVersion, DateTime At) : IRunEvent;

/// <summary>
/// Optimizer step <paramref name="Step"/> is done and durable: its checkpoint (folder name and manifest SHA-256) was
/// written before this event. The data cursor and every random stream are pure functions of (seed, step), so the
/// step number is the whole resume position. <paramref name="ReportJson"/> is the step's metrics.
/// </summary>
public sealed record StepCommitted(long Step, long PolicyVersion, string Checkpoint, string CheckpointSha256, string ReportJson, DateTime At)
    : IRunEvent;

/// <summary>A held-out evaluation after <paramref name="Step"/> steps.</summary>
public sealed record EvalRecorded(long Step, long PolicyVersion, int Problems, int Correct, string ReportJson) : IRunEvent;

/// <summary>The checkpoint of a later step was unusable (corrupt or missing): training resumes after <paramref name="Step"/>.</summary>
public sealed record RolledBack(long Step, string Reason, DateTime At) : IRunEvent;

/// <summary>The run reached its configured number of steps.</summary>
public sealed record RunFinished(long Steps, DateTime At) : IRunEvent;
