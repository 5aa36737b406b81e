// The persistent side of the coordinator: the run's journaled state, how events are stored and folded, journal failures.
using Akka.Actor;
using Akka.Persistence;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>
/// An actor whose durable state is a run's journal folded by <see cref="RunState.Apply"/> (recovery is replay). What to
/// journal is decided elsewhere (<see cref="RunDecisions"/>); this class stores it, folds it in, keeps the checkpoints the
/// state retains, and turns journal failures into one line for the listener.
/// </summary>
public abstract class RunJournalActor : ReceivePersistentActor
{
    protected RunJournalActor(RunContext run, IActorRef listener, int keepLast)
    {
        Run = run;
        Listener = listener;
        KeepLast = keepLast;
        Recover<IRunEvent>(e => State = State.Apply(e));
        Recover<SnapshotOffer>(o => State = (RunState)o.Snapshot);
        Recover<RecoveryCompleted>(_ => Self.Tell(Recovered.Instance));
        Command<Recovered>(_ => OnRecovered());
    }

    protected RunContext Run { get; }
    protected IActorRef Listener { get; }
    private int KeepLast { get; }

    /// <summary>Everything the run has durably done.</summary>
    protected RunState State { get; private set; } = RunState.Empty;

    public override string PersistenceId => $"run-{Run.RunId}";

    /// <summary>From the newest snapshot, unless it was found damaged: then from every event.</summary>
    public override Recovery Recovery => Run.IgnoreSnapshots ? new Recovery(SnapshotSelectionCriteria.None) : base.Recovery;

    /// <summary>Sent to self once recovery is complete, so that the run starts outside the recovery callback.</summary>
    private sealed class Recovered
    {
        public static readonly Recovered Instance = new();
    }

    /// <summary>The journal is replayed into <see cref="State"/>.</summary>
    protected abstract void OnRecovered();

    /// <summary>Persists an event, folds it into <see cref="State"/> (and, with <paramref name="retain"/>, deletes the
    /// checkpoints the new state no longer keeps), then continues with <paramref name="then"/>.</summary>
    protected void Store(IRunEvent e, bool retain, Action then) => Persist(e, _ =>
    {
        State = State.Apply(e);
        if (retain) Run.Checkpoints?.Retain(RunDecisions.Retained(State, KeepLast), State.Last is { } last ? CheckpointStore.NameOf(last.Step + 1) : null);
        then();
    });

    /// <summary>Journals a step whose checkpoint is durable (the commit), snapshots the state when due, reports the step to
    /// the listener, then continues with <paramref name="then"/>.</summary>
    protected void CommitStep(StepReport report, CheckpointSaved checkpoint, int snapshotEvery, Action then) =>
        Store(RunDecisions.Commit(report, checkpoint, DateTime.UtcNow), retain: true, () =>
        {
            if (RunDecisions.SnapshotDue(LastSequenceNr, snapshotEvery)) SaveSnapshot(State);
            Listener.Tell(report);
            then();
        });

    /// <summary>Journals an evaluation, reports it to the listener, then continues with <paramref name="then"/>.</summary>
    protected void RecordEval(EvalReport report, Action then) => Store(RunDecisions.Record(report), retain: true, () =>
    {
        Listener.Tell(report);
        then();
    });

    /// <summary>Journals the end of the run (once: a finished run run again adds nothing) and reports it with the first and
    /// last evaluations.</summary>
    protected void Finish(long steps, long version, double seconds, IReadOnlyDictionary<string, double> phases, Action then)
    {
        void Report()
        {
            var evals = State.Evals;
            Listener.Tell(new TrainingFinished(steps, version, evals.Count > 0 ? RunDecisions.ReportOf(evals[0]) : null,
                evals.Count > 0 ? RunDecisions.ReportOf(evals[^1]) : null, seconds, new Dictionary<string, double>(phases)));
            then();
        }
        if (RunDecisions.Finish(State, steps, DateTime.UtcNow) is { } finished) Store(finished, retain: false, Report);
        else Report();
    }

    /// <summary>Ends the run with one line for the listener; nothing after the last committed step is kept.</summary>
    protected void Fail(string reason)
    {
        Listener.Tell(new TrainingFailed(reason));
        Context.Stop(Self);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The journal could not be written: this actor stops (a full disk ends the run; the supervisor retries the rest).
        Listener.Tell(RunStops.OnPersist(cause, @event, sequenceNr, Run, State.NextStep));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Listener.Tell(RunStops.OnRecovery(reason, Run));
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>The journal refused the event (it will refuse it again): stop cleanly; the step is not committed.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr) => Fail(RunStops.Rejected(cause, @event, sequenceNr));
}
