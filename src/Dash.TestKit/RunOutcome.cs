// What a test-kit run reported, in order, and (with a journal) what it journaled.
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.TestKit;

/// <param name="Seen">Every report of the run, in order, ending with <see cref="TrainingFinished"/> or <see cref="TrainingFailed"/>.</param>
/// <param name="Journal">The run's journal read back after it ended (null when it had no SQLite journal).</param>
public sealed record RunOutcome(IReadOnlyList<object> Seen, RunHistory? Journal)
{
    public IReadOnlyList<StepReport> Steps => [.. Seen.OfType<StepReport>()];

    public IReadOnlyList<EvalReport> Evals => [.. Seen.OfType<EvalReport>()];

    public IReadOnlyList<string> Warnings => [.. Seen.OfType<TrainingWarning>().Select(w => w.Message)];

    /// <summary>How the run ended; throws (with the reason) when it failed.</summary>
    public TrainingFinished Finished => Seen.Count > 0 && Seen[^1] is TrainingFinished f
        ? f
        : throw new JournalAssertionException($"the run did not finish: {(Seen.Count > 0 && Seen[^1] is TrainingFailed failed ? failed.Reason : "no end was reported")}");

    /// <summary>Why the run failed, or null when it finished.</summary>
    public string? Failure => Seen.Count > 0 && Seen[^1] is TrainingFailed f ? f.Reason : null;
}
