// The coordinator's durable state as a pure fold over run events (Apply), so recovery is replay.
namespace Dash.Actors.Persistence;

/// <summary>A committed step's checkpoint and the accuracy measured right after it (if any).</summary>
public sealed record CommittedStep(long Step, long PolicyVersion, string Checkpoint, string Sha256, string ReportJson);

/// <summary>Everything a run has durably done.</summary>
public sealed record RunState(
    RunStarted? Started,
    IReadOnlyList<CommittedStep> Steps,
    IReadOnlyList<EvalRecorded> Evals,
    bool Finished)
{
    public static readonly RunState Empty = new(null, [], [], false);

    /// <summary>Steps completed so far (the next step to run).</summary>
    public long NextStep => Steps.Count == 0 ? 0 : Steps[^1].Step + 1;

    public CommittedStep? Last => Steps.Count == 0 ? null : Steps[^1];

    /// <summary>The newest committed step that wrote a checkpoint (with dash.coordinator.checkpoint-every above 1 the
    /// steps between checkpoints commit without one).</summary>
    public CommittedStep? LastCheckpoint => Steps.LastOrDefault(s => s.Checkpoint.Length > 0);

    /// <summary>The steps committed after <see cref="LastCheckpoint"/> (all of them when there is none): a resume runs them again.</summary>
    public int UnsavedSteps => LastCheckpoint is { } saved ? Steps.Count(s => s.Step > saved.Step) : Steps.Count;

    /// <summary>The committed step with the best held-out accuracy measured at it, if any.</summary>
    public CommittedStep? Best
    {
        get
        {
            // Evaluated steps are saved; one that is not (eval-every changed on resume) cannot be the best checkpoint.
            return Evals.Where(e => e.Step > 0)
                .Select(e => (Eval: e, Step: Steps.LastOrDefault(s => s.Step == e.Step - 1)))
                .Where(x => x.Step is { Checkpoint.Length: > 0 })
                .OrderByDescending(x => (double)x.Eval.Correct / Math.Max(1, x.Eval.Problems)).ThenBy(x => x.Eval.Step)
                .FirstOrDefault().Step;
        }
    }

    /// <summary>The evaluation that makes <see cref="Best"/> the best checkpoint, if any.</summary>
    public EvalRecorded? BestEval => Best is { } best ? Evals.LastOrDefault(e => e.Step == best.Step + 1) : null;

    /// <summary>Folds one event into the state.</summary>
    public RunState Apply(IRunEvent e) => e switch
    {
        RunStarted s => this with { Started = s },
        StepCommitted c => this with
        {
            Steps = [.. Steps.Where(x => x.Step < c.Step), new CommittedStep(c.Step, c.PolicyVersion, c.Checkpoint, c.CheckpointSha256, c.ReportJson)],
            Finished = false,
        },
        EvalRecorded ev => this with { Evals = [.. Evals.Where(x => x.Step != ev.Step), ev] },
        RolledBack r => this with
        {
            Steps = [.. Steps.Where(x => x.Step <= r.Step)],
            Evals = [.. Evals.Where(x => x.Step <= r.Step + 1)],
            Finished = false,
        },
        RunFinished => this with { Finished = true },
        _ => this,
    };
}
