// Drives training: plans each step, hands shards to samplers, re-issues lost ones, commits steps, syncs weights, evaluates.
using Akka.Actor;
using Akka.Cluster;
using Akka.Persistence;
using Dash.Actors.Algorithm;
using Dash.Actors.Cluster;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>
/// The coordinator plans each step (<see cref="StepPlan"/>), hands shards to samplers holding the current weights and
/// re-issues lost ones; rollouts flow sampler → verifiers → advantage filter → learner without it. Phases, each a
/// <c>Become</c>: <b>Starting</b> (<see cref="RunDecisions.Start"/>), <b>Syncing</b> (until every sampler holds the
/// weights), <b>Evaluating</b>, <b>Stepping</b> (rounds sampled and learned), <b>Checkpointing</b> (then Syncing, then the
/// commit) and <b>Finished</b>. A step counts once its checkpoint is durable and <see cref="StepCommitted"/> journaled.
/// With <c>sampling.max-policy-lag = 1</c> two steps are in flight: once step t is sampled and t − 1 committed, the
/// samplers load v_t (evaluated if due) and sample t + 1 while the learner is still on t (<see cref="SteppingLagged"/>).
/// </summary>
public sealed class TrainingCoordinatorActor : RunJournalActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly DashSettings _settings;
    private readonly ITrainingData _data;
    private readonly PipelineParts _parts;
    private readonly SamplerDesk _samplers;
    private readonly RunClock _clock = new();
    private IActorRef _learner = ActorRefs.Nobody, _verifiers = ActorRefs.Nobody, _filter = ActorRefs.Nobody;
    private long _version = -1; // Unknown until the samplers acknowledge the learner's first published weights.
    private long _step;
    private WorkSet? _work; // The shards of the training round or the evaluation under way.
    private readonly Dictionary<long, StepProgress> _learning = []; // With a lag: steps sampled (or sampling), not committed.
    private bool _frontSampled; // With a lag: step _step is sampled; the samplers move on once step _step − 1 is committed.

    // With a lag, resuming needs the checkpoint before the last too (the samplers' weights): one more is kept.
    public TrainingCoordinatorActor(DashSettings settings, ITrainingData data, PipelineParts parts, IActorRef listener, RunContext run)
        : base(run, listener, settings.Coordinator.KeepLast + settings.Sampling.MaxPolicyLag) =>
        (_settings, _data, _parts, _samplers) = (settings, data, parts, new SamplerDesk(listener, parts.Cluster));

    private bool Lagged => _settings.Sampling.MaxPolicyLag > 0;

    public static Props Props(DashSettings settings, ITrainingData data, IEngineFactory factory, IActorRef listener, RunContext? run = null) =>
        Props(settings, data, new PipelineParts(settings, factory), listener, run);

    /// <param name="parts">Where samplers, learner and verifiers come from (in-process, sampler nodes, or simulated).</param>
    public static Props Props(DashSettings settings, ITrainingData data, PipelineParts parts, IActorRef listener, RunContext? run = null) =>
        Akka.Actor.Props.Create(() => new TrainingCoordinatorActor(settings, data, parts, listener, run ?? RunContext.InMemory()));

    /// <summary>Samplers and verifiers that throw are restarted (a sampler's shard comes back through <see cref="ShardFailed"/>).
    /// A learner failure escalates (the supervisor restarts this coordinator from the last committed step), and so does a
    /// child that cannot even be created (a model that does not load): the run ends with the cause instead of waiting.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1),
            decider: Decider.From(e => e is LearnerException or ActorInitializationException ? Directive.Escalate : Directive.Restart));

    // ---- phases -------------------------------------------------------------------------------------------------------

    /// <summary>Starting: the journal is replayed; decide how the run starts or resumes.</summary>
    protected override void OnRecovered()
    {
        Run.Checkpoints?.CleanTemporary(); // Left by a crash or a full disk in an earlier attempt.
        var start = RunDecisions.Start(State, Run, _settings.Run.Seed, DateTime.UtcNow, _settings.Sampling.MaxPolicyLag);
        if (start is { Warning: { } warning, Refusal: null }) Listener.Tell(new TrainingWarning(warning));
        if (start.Refusal is { } refusal) Fail(refusal);
        else if (start.Journal is { } first) Store(first, retain: false, () => StartPipeline(start));
        else StartPipeline(start);
    }

    private void StartPipeline(StartDecision start)
    {
        _step = State.NextStep;
        (_verifiers, _learner, _filter) = _parts.Start(Context, Self, Run.Checkpoints, start.ResumeFrom, start.BehaviourFrom);
        _samplers.Learner = _learner;
        if (_parts.Cluster) Timers.StartPeriodicTimer("regreet", SamplerNodes.RegreetTick.Instance, _settings.Coordinator.Regreet);
        // Samplers announce themselves and get the learner's weights (with a lag, one step's before), evaluated if owed.
        var heldStep = Lagged ? Math.Max(0, _step - 1) : _step;
        Action train = Lagged ? () => SteppingLagged(_step) : Stepping;
        Syncing(then: RunDecisions.EvalOwed(State, heldStep, _settings.Run) ? () => Evaluating(heldStep, then: train) : train);
    }

    /// <summary>Waits until every sampler holds <see cref="_version"/>, then continues with <paramref name="then"/>.</summary>
    private void Syncing(Action then)
    {
        _clock.Phases.Enter(Phases.WeightSync);
        void Check()
        {
            if (!_samplers.AllHold(_version)) return;
            _clock.Phases.Close();
            then();
        }
        Become(() => Common(onSamplers: Check));
        Check(); // Samplers may have acknowledged before the learner's report reached us.
    }

    private void Stepping()
    {
        if (_step >= _settings.Run.Steps)
        {
            Finishing();
            return;
        }
        _clock.Phases.Reset();
        var step = StepProgress.For(_settings, _data, _step);
        Become(() =>
        {
            Command<RoundLearned>(m => OnRoundLearned(step, m));
            Common(onSamplers: Dispatch);
        });
        StartRound(step);
    }

    /// <summary>Hands out the round's shards; their rollouts go from the samplers through the verifiers to the filter.</summary>
    private void StartRound(StepProgress s)
    {
        var round = s.Current;
        if (!s.Plan.Samples)
        {
            // SFT: the round's batch is its prompts' reference solutions; nothing is sampled or scored.
            _clock.Phases.Enter(Phases.Learn);
            var rows = StepWork.ReferenceRows(s.Prompts[round.First..(round.First + round.Count)], _data.EncodeCompletion);
            _filter.Tell(new BatchScored(new RolloutBatch(s.Plan.Step, 0, _version, rows) { Round = s.Round }, rows.Length, 0));
            return;
        }
        _work = new WorkSet([.. round.Shards.Select(sh => sh.ToMessage(s.Prompts, s.Plan.Step, _version, s.Plan.GroupSize, greedy: false)
            with { Verifier = _verifiers, ScoredTo = _filter })], isEval: false);
        _clock.Phases.Enter(Phases.Sample);
        Dispatch();
    }

    /// <summary>The learner finished a round: go on with the next one, or (after the last) checkpoint and commit.</summary>
    private void OnRoundLearned(StepProgress s, RoundLearned m)
    {
        if (m.Step != _step || m.Round != s.Round) return;
        var last = s.Learned(m, _work);
        _work = null;
        if (!last)
        {
            StartRound(s); // GRPO baseline: the next micro-batch is sampled with the same (unchanged, unpublished) weights.
            return;
        }
        _version = m.PolicyVersion;
        _clock.Phases.Enter(Phases.Checkpoint); // The learner writes the checkpoint while the samplers load the new weights.
        Become(() =>
        {
            Command<CheckpointSaved>(saved => Syncing(then: () => Commit(s, saved)));
            Command<CheckpointFailed>(failed => Fail(RunStops.CheckpointFailed(failed)));
            Common(onSamplers: () => { });
        });
    }

    /// <summary>Journals the step (its checkpoint is already durable), reports it and moves on.</summary>
    private void Commit(StepProgress s, CheckpointSaved checkpoint)
    {
        _clock.Phases.Close();
        CommitStep(_clock.Committed(s.Report(_version, _clock.Phases.Seconds)), checkpoint, _settings.Coordinator.SnapshotEvery, then: () =>
        {
            _step++;
            if (RunDecisions.EvalDue(_step, _settings.Run)) Evaluating(_step, then: Stepping);
            else Stepping();
        });
    }

    // ---- with a policy lag: step t + 1 is sampled with v_t while the learner computes v_t+1 ---------------------------

    /// <summary>Samples step <paramref name="s"/> with the weights the samplers hold (one step behind the learner's).</summary>
    private void SteppingLagged(long s)
    {
        (_step, _frontSampled) = (s, s >= _settings.Run.Steps); // Past the last step there is nothing to sample.
        // The step before's wall time ends here (its sampling, the wait for the learner, the weight sync); evaluations count apart.
        if (_learning.GetValueOrDefault(s - 1) is { } before) (before.FrontSeconds = _clock.Phases.Take()).Remove(Phases.Eval);
        else _clock.Phases.Reset();
        _clock.LaggedStepStarts();
        Become(() => Common(onSamplers: Dispatch));
        if (_frontSampled) Advance();
        else StartRound(_learning[s] = StepProgress.For(_settings, _data, s));
    }

    /// <summary>Step <see cref="_step"/> is sampled and every step before it committed: the samplers load the weights after
    /// <see cref="_step"/> steps, which are evaluated if due, and sample the next step (or the run finishes).</summary>
    private void Advance()
    {
        if (!_frontSampled || State.NextStep < _step) return;
        _frontSampled = false;
        var at = _step;
        void Next()
        {
            Action then = at >= _settings.Run.Steps ? Finishing : () => SteppingLagged(at + 1);
            if (RunDecisions.EvalOwed(State, at, _settings.Run)) Evaluating(at, then);
            else then();
        }
        var version = at == 0 ? _version : State.Steps.Last(c => c.Step == at - 1).PolicyVersion;
        if (version != _version) _learner.Tell(new PublishWeights(_version = version));
        Syncing(then: Next); // At once when the samplers already hold them.
    }

    /// <summary>A step's checkpoint is durable (steps come in order): journal it; the samplers may then move on.</summary>
    private void CommitLagged(CheckpointSaved checkpoint)
    {
        if (!_learning.Remove(checkpoint.Step, out var s)) return;
        var report = s.Report(s.Version, s.FrontSeconds ?? _clock.Phases.Take(), _clock.LaggedWallSeconds());
        CommitStep(_clock.Committed(report), checkpoint, _settings.Coordinator.SnapshotEvery, then: Advance);
    }

    // ---- evaluation and the end ------------------------------------------------------------------------------------------

    /// <summary>Held-out pass@1 of the weights the samplers hold, the weights after <paramref name="at"/> steps.</summary>
    private void Evaluating(long at, Action then)
    {
        var started = _clock.Elapsed;
        _clock.Phases.Enter(Phases.Eval);
        _work = WorkSet.Eval(_settings, _data.HeldOut(_settings.Run.EvalProblems), at, _version, _verifiers, scoredTo: Self);
        Become(() =>
        {
            Command<BatchScored>(m =>
            {
                if (_work is not { IsEval: true } work || m.Batch.Step != work.Step) return;
                work.Scored(m.Batch, m.Correct);
                if (!work.AllScored) return;
                var report = work.EvalReport(at, _version, _clock.Elapsed - started, _data.LevelOf);
                _work = null;
                _clock.Evaluated(report.Seconds);
                RecordEval(report, then);
            });
            Common(onSamplers: Dispatch);
        });
        Dispatch();
    }

    private void Finishing() => Finish(_step, _version, _clock.Elapsed, _clock.Totals, then: () =>
    {
        if (_parts.Cluster) SamplerNodes.EndRun(Context, Run.RunId);
        Become(() => CommandAny(_ => { })); // Finished.
    });

    // ---- in every phase: samplers, their nodes, and late reports --------------------------------------------------------

    /// <param name="onSamplers">What the phase does when a sampler arrives, applies weights or is lost (sync check or dispatch).</param>
    private void Common(Action onSamplers)
    {
        if (Lagged)
        {
            // The learner works one step behind the samplers, in whatever phase the coordinator is.
            Command<RoundLearned>(m => _learning.GetValueOrDefault(m.Step)?.Learned(m, null));
            Command<CheckpointSaved>(CommitLagged);
            Command<CheckpointFailed>(failed => Fail(RunStops.CheckpointFailed(failed)));
        }
        Command<SamplerReady>(m =>
        {
            _samplers.Ready(Context, Sender, m.PolicyVersion);
            onSamplers();
        });
        Command<WeightsApplied>(m =>
        {
            if (!_samplers.Applied(Sender, m.PolicyVersion)) return; // From a sampler already given up as lost.
            if (_version < 0) _version = m.PolicyVersion;
            onSamplers();
        });
        // Bookkeeping only (the rows flow past the coordinator). With every shard sampled the step waits for the learner.
        Command<ShardSampled>(m =>
        {
            if (_work?.Sampled(m) != true || _work.IsEval) return;
            _clock.Phases.Enter(Phases.Learn);
            if (!Lagged) return;
            _learning.GetValueOrDefault(_step)?.Sampled(_work); // All sampled: with a lag the samplers need them no more.
            (_work, _frontSampled) = (null, true);
            Advance();
        });
        Command<ShardFailed>(m => _samplers.Failed(Sender, m, _work));
        Command<Terminated>(m => Lose([m.ActorRef], "it stopped", onSamplers));
        Command<ClusterEvent.MemberUp>(m => SamplerNodes.Greet(Context, m.Member, Run.RunId, Run.ConfigText));
        Command<SamplerNodes.RegreetTick>(_ => SamplerNodes.Regreet(Context, _samplers.All, Run.RunId, Run.ConfigText));
        Command<ClusterEvent.UnreachableMember>(m => Lose(_samplers.On(m.Member.Address), "its node became unreachable", onSamplers));
        Command<ClusterEvent.MemberRemoved>(m => Lose(_samplers.On(m.Member.Address), "its node left the cluster", onSamplers));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { }); // Events are the durability guarantee; a lost snapshot costs only replay time.
        Command<BatchScored>(_ => { }); // A duplicate of a finished evaluation's shard.
        Command<RoundLearned>(_ => { });
    }

    private void Dispatch() => _samplers.Dispatch(_work, _version);

    /// <summary>Samplers stopped or their node is gone: their shards are re-queued; an in-process run without one stops.</summary>
    private void Lose(IActorRef[] samplers, string why, Action onSamplers)
    {
        foreach (var sampler in samplers.Where(sampler => _samplers.Lose(Context, sampler, why, _work)))
            if (_samplers.NoneLeftInProcess) Fail(_samplers.NoneLeft(why, State.NextStep));
            else onSamplers();
    }
}
