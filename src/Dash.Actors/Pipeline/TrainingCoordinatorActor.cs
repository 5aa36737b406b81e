// Drives training: plans each step, hands shards to samplers, re-issues lost ones, commits steps, syncs weights, evaluates.
using System.Diagnostics;
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
/// The coordinator: it plans each step (<see cref="StepPlan"/>), hands shards to idle samplers holding the current weights
/// and tracks them for re-issue; rollouts flow from sampler to verifiers to advantage filter to learner without it. Its
/// phases, each a <c>Become</c>: <b>Starting</b> (replay the journal, <see cref="RunDecisions.Start"/>, start the pipeline),
/// <b>Syncing</b> (until every sampler holds the learner's weights, so samples are on-policy), <b>Evaluating</b> (held-out
/// pass@1), <b>Stepping</b> (a step's rounds are sampled and learned), <b>Checkpointing</b> (the learner stepped, publishes
/// and writes the checkpoint; then Syncing, then the commit) and <b>Finished</b>. It is event-sourced: a step counts only
/// once its checkpoint is durable and <see cref="StepCommitted"/> is journaled; after a crash it resumes from the last one.
/// With <c>dash.sampling.max-policy-lag = 1</c> two steps are in flight: once step t is sampled (and step t − 1 committed),
/// the samplers load v_t (evaluated if due) and sample step t + 1 while the learner is still on step t (<see cref="Lagged"/>).
/// </summary>
public sealed class TrainingCoordinatorActor : RunJournalActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly DashSettings _settings;
    private readonly ITrainingData _data;
    private readonly PipelineParts _parts;
    private readonly SamplerPool<IActorRef> _samplers = new();
    private readonly PhaseClock _phases = new();
    private readonly Dictionary<string, double> _totalPhases = [];
    private readonly Stopwatch _runClock = Stopwatch.StartNew();
    private IActorRef _learner = ActorRefs.Nobody, _verifiers = ActorRefs.Nobody, _filter = ActorRefs.Nobody;
    private long _version = -1; // Unknown until the samplers acknowledge the learner's first published weights.
    private long _step;
    private WorkSet? _work; // The shards of the training round or the evaluation under way.
    private string? _lastSamplerError;
    private readonly int _lag;
    private readonly Dictionary<long, StepProgress> _learning = []; // With a lag: steps sampled (or sampling), not committed.
    private bool _frontSampled; // With a lag: step _step is sampled; the samplers move on once step _step − 1 is committed.
    private double _sinceCommit = -1, _evalSinceCommit; // With a lag: run-clock seconds at the last commit (or first step), eval seconds since.

    // With a lag, resuming needs the checkpoint before the last too (the samplers' weights): one more is kept.
    public TrainingCoordinatorActor(DashSettings settings, ITrainingData data, PipelineParts parts, IActorRef listener, RunContext run)
        : base(run, listener, settings.Coordinator.KeepLast + settings.Sampling.MaxPolicyLag) =>
        (_settings, _data, _parts, _lag) = (settings, data, parts, settings.Sampling.MaxPolicyLag);

    private bool Lagged => _lag > 0;

    public static Props Props(DashSettings settings, ITrainingData data, IEngineFactory factory, IActorRef listener, RunContext? run = null) =>
        Props(settings, data, new PipelineParts(settings, factory), listener, run);

    /// <param name="parts">Where samplers, learner and verifiers come from (in-process, sampler nodes, or simulated).</param>
    public static Props Props(DashSettings settings, ITrainingData data, PipelineParts parts, IActorRef listener, RunContext? run = null) =>
        Akka.Actor.Props.Create(() => new TrainingCoordinatorActor(settings, data, parts, listener, run ?? RunContext.InMemory()));

    private sealed class RegreetTick
    {
        public static readonly RegreetTick Instance = new();
    }

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
        var start = RunDecisions.Start(State, Run, _settings.Run.Seed, DateTime.UtcNow, _lag);
        if (start.Refusal is { } refusal)
        {
            Fail(refusal);
            return;
        }
        if (start.Warning is { } warning) Listener.Tell(new TrainingWarning(warning));
        if (start.Journal is { } first) Store(first, retain: false, () => StartPipeline(start));
        else StartPipeline(start);
    }

    private void StartPipeline(StartDecision start)
    {
        _step = State.NextStep;
        (_verifiers, _learner, _filter) = _parts.Start(Context, Self, Run.Checkpoints, start.ResumeFrom, start.BehaviourFrom);
        if (_parts.Cluster) Timers.StartPeriodicTimer("regreet", RegreetTick.Instance, _settings.Coordinator.Regreet);
        // Each sampler announces itself and is sent the learner's weights (with a lag, those of one step before). Then
        // evaluate them if due and not yet journaled (a fresh run, or a crash before the evaluation), and train.
        var heldStep = Lagged ? Math.Max(0, _step - 1) : _step;
        Action train = Lagged ? () => SteppingLagged(_step) : Stepping;
        Syncing(then: RunDecisions.EvalOwed(State, heldStep, _settings.Run) ? () => Evaluating(heldStep, then: train) : train);
    }

    /// <summary>Waits until every sampler holds <see cref="_version"/>, then continues with <paramref name="then"/>.</summary>
    private void Syncing(Action then)
    {
        _phases.Enter(Phases.WeightSync);
        void Check()
        {
            if (!_samplers.AllHold(_version)) return;
            _phases.Close();
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
        _phases.Reset();
        var plan = StepPlan.For(_settings, _step);
        var step = new StepProgress(plan, _data.TrainPrompts(_step, plan.PromptsPerStep));
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
            _phases.Enter(Phases.Learn);
            var rows = StepWork.ReferenceRows(s.Prompts[round.First..(round.First + round.Count)], _data.EncodeCompletion);
            _filter.Tell(new BatchScored(new RolloutBatch(s.Plan.Step, 0, _version, rows) { Round = s.Round }, rows.Length, 0));
            return;
        }
        _work = new WorkSet([.. round.Shards.Select(sh => sh.ToMessage(s.Prompts, s.Plan.Step, _version, s.Plan.GroupSize, greedy: false)
            with { Verifier = _verifiers, ScoredTo = _filter })], isEval: false);
        _phases.Enter(Phases.Sample);
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
        _phases.Enter(Phases.Checkpoint); // The learner writes the checkpoint while the samplers load the new weights.
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
        _phases.Close();
        var report = s.Report(_version, _phases.Seconds);
        foreach (var (phase, seconds) in report.PhaseSeconds) _totalPhases[phase] = _totalPhases.GetValueOrDefault(phase) + seconds;
        Store(RunDecisions.Commit(report, checkpoint, DateTime.UtcNow), retain: true, () =>
        {
            if (RunDecisions.SnapshotDue(LastSequenceNr, _settings.Coordinator.SnapshotEvery)) SaveSnapshot(State);
            Listener.Tell(report);
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
        if (_learning.GetValueOrDefault(s - 1) is { } before) (before.FrontSeconds = _phases.Take()).Remove(Phases.Eval);
        else _phases.Reset();
        if (_sinceCommit < 0) (_sinceCommit, _evalSinceCommit) = (_runClock.Elapsed.TotalSeconds, 0);
        Become(() => Common(onSamplers: Dispatch));
        if (_frontSampled)
        {
            Advance();
            return;
        }
        var plan = StepPlan.For(_settings, s);
        var step = _learning[s] = new StepProgress(plan, _data.TrainPrompts(s, plan.PromptsPerStep));
        StartRound(step);
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
        if (version == _version)
        {
            Next();
            return;
        }
        _version = version;
        _learner.Tell(new PublishWeights(version));
        Syncing(then: Next);
    }

    /// <summary>A step's checkpoint is durable (steps come in order): journal it; the samplers may then move on.</summary>
    private void CommitLagged(CheckpointSaved checkpoint)
    {
        if (!_learning.Remove(checkpoint.Step, out var s)) return;
        // Steps overlap, so a step's wall time is the time since the one before was committed, evaluations left out.
        var now = _runClock.Elapsed.TotalSeconds;
        var report = s.Report(s.Version, s.FrontSeconds ?? _phases.Take(), now - _sinceCommit - _evalSinceCommit);
        (_sinceCommit, _evalSinceCommit) = (now, 0);
        foreach (var (phase, seconds) in report.PhaseSeconds) _totalPhases[phase] = _totalPhases.GetValueOrDefault(phase) + seconds;
        Store(RunDecisions.Commit(report, checkpoint, DateTime.UtcNow), retain: true, () =>
        {
            if (RunDecisions.SnapshotDue(LastSequenceNr, _settings.Coordinator.SnapshotEvery)) SaveSnapshot(State);
            Listener.Tell(report);
            Advance();
        });
    }

    // ---- evaluation and the end ------------------------------------------------------------------------------------------

    /// <summary>Held-out pass@1 of the weights the samplers hold, the weights after <paramref name="at"/> steps.</summary>
    private void Evaluating(long at, Action then)
    {
        var clock = Stopwatch.StartNew();
        _phases.Enter(Phases.Eval);
        // The same list, shards and scorer as Evaluator (dash eval), so a checkpoint's number is reproducible.
        var heldOut = _data.HeldOut(_settings.Run.EvalProblems);
        _work = new WorkSet([.. StepPlan.EvalShards(_settings, at, heldOut.Length)
            .Select(sh => sh.ToMessage(heldOut, StepPlan.EvalStepId(at), _version, 1, greedy: true) with { Verifier = _verifiers, ScoredTo = Self })], isEval: true);
        Become(() =>
        {
            Command<BatchScored>(m =>
            {
                if (_work is not { IsEval: true } work || m.Batch.Step != work.Step) return;
                work.Scored(m.Batch, m.Correct);
                if (work.AllScored) Evaluated(work.EvalReport(at, _version, clock.Elapsed.TotalSeconds, _data.LevelOf), then);
            });
            Common(onSamplers: Dispatch);
        });
        Dispatch();
    }

    private void Evaluated(EvalReport report, Action then)
    {
        _work = null;
        _phases.Close();
        _totalPhases[Phases.Eval] = _totalPhases.GetValueOrDefault(Phases.Eval) + report.Seconds;
        _evalSinceCommit += report.Seconds;
        Store(RunDecisions.Record(report), retain: true, () =>
        {
            Listener.Tell(report);
            then();
        });
    }

    private void Finishing()
    {
        if (RunDecisions.Finish(State, _step, DateTime.UtcNow) is { } finished) Store(finished, retain: false, Finished);
        else Finished();
    }

    private void Finished()
    {
        var evals = State.Evals;
        Listener.Tell(new TrainingFinished(_step, _version, evals.Count > 0 ? RunDecisions.ReportOf(evals[0]) : null,
            evals.Count > 0 ? RunDecisions.ReportOf(evals[^1]) : null, _runClock.Elapsed.TotalSeconds, new Dictionary<string, double>(_totalPhases)));
        if (_parts.Cluster) SamplerNodes.EndRun(Context, Run.RunId);
        Become(() => CommandAny(_ => { }));
    }

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
            var (isNew, needsWeights) = _samplers.Ready(Sender, m.PolicyVersion);
            if (isNew) Context.Watch(Sender);
            if (needsWeights) _learner.Tell(new SendWeightsTo(Sender));
            if (isNew && _parts.Cluster) Listener.Tell(new SamplersChanged($"sampler joined: {Sender.Path} ({_samplers.Count} sampler(s))", _samplers.Count));
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
            _phases.Enter(Phases.Learn);
            if (!Lagged) return;
            _learning.GetValueOrDefault(_step)?.Sampled(_work); // All sampled: with a lag the samplers need them no more.
            (_work, _frontSampled) = (null, true);
            Advance();
        });
        Command<ShardFailed>(m =>
        {
            _lastSamplerError = m.Reason.Split('\n', 2)[0].Trim().TrimEnd('.');
            _samplers.Busy(Sender);
            _work?.Failed(m.Shard);
        });
        Command<Terminated>(m => LoseSampler(m.ActorRef, "it stopped", onSamplers));
        Command<ClusterEvent.MemberUp>(m => SamplerNodes.Greet(Context, m.Member, Run.RunId));
        Command<RegreetTick>(_ => SamplerNodes.Regreet(Context, _samplers.All, Run.RunId));
        Command<ClusterEvent.UnreachableMember>(m => LoseNode(m.Member.Address, "its node became unreachable", onSamplers));
        Command<ClusterEvent.MemberRemoved>(m => LoseNode(m.Member.Address, "its node left the cluster", onSamplers));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { }); // Events are the durability guarantee; a lost snapshot costs only replay time.
        Command<BatchScored>(_ => { }); // A duplicate of a finished evaluation's shard.
        Command<RoundLearned>(_ => { });
    }

    private void Dispatch()
    {
        if (_work is null) return;
        foreach (var (id, sampler) in _samplers.TakeIdle(_version, _work.Queued)) sampler.Tell(_work.Take(id));
    }

    /// <summary>A sampler stopped or its node is gone: its shards go back to the queue and it no longer counts for sync.</summary>
    private void LoseSampler(IActorRef sampler, string why, Action onSamplers)
    {
        if (_samplers.Remove(sampler) is not { } id) return;
        Context.Unwatch(sampler);
        var reissued = _work?.SamplerLost(id) ?? 0;
        _learner.Tell(new SamplerLeft(sampler));
        Listener.Tell(new TrainingWarning($"sampler {sampler.Path} is gone ({why}); {reissued} shard(s) re-issued, {_samplers.Count} sampler(s) left."));
        if (!_parts.Cluster && _samplers.Count == 0) Fail(RunStops.NoSamplerLeft(_lastSamplerError ?? why, State.NextStep));
        else onSamplers();
    }

    private void LoseNode(Address node, string why, Action onSamplers)
    {
        foreach (var sampler in _samplers.All.Where(r => r.Path.Address == node).ToArray()) LoseSampler(sampler, why, onSamplers);
    }
}
