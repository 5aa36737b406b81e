// Drives training: plans each step, hands shards to samplers, re-issues lost ones, commits steps, syncs weights, evaluates.
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Persistence;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>
/// The coordinator. Each step it plans (<see cref="StepPlan"/>: the whole batch at once with DASH, one micro-batch at a
/// time with the GRPO baseline), hands shards to samplers and tracks them for re-issue; the rollouts flow from sampler to
/// verifiers to advantage filter to learner without it, and the learner reports each round. After the last round the
/// learner has stepped and is pushing the weights to every sampler; the coordinator has the checkpoint written, waits
/// for every sampler to hold the new weights (so the next samples are on-policy), then commits and reports. Work is
/// pulled: a shard goes only to an idle sampler holding the current weights, so in-flight work is bounded by the
/// number of samplers.
/// It is event-sourced: a step counts only once its checkpoint is durable and <see cref="StepCommitted"/> is journaled,
/// and after any crash it replays the journal and continues from the last committed step.
/// </summary>
public sealed partial class TrainingCoordinatorActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly DashSettings _settings;
    private readonly ITrainingData _data;
    private readonly IActorRef _listener;
    private string? _lastSamplerError;
    private readonly PipelineParts _parts;
    private readonly RunContext _run;
    private RunState _state = RunState.Empty;
    private readonly Stopwatch _runClock = Stopwatch.StartNew();
    private readonly PhaseClock _phases = new();
    private readonly Dictionary<string, double> _totalPhases = [];
    private readonly Dictionary<int, long> _samplerVersion = [];
    private readonly HashSet<int> _idle = [];
    private readonly Dictionary<int, IActorRef> _samplers = [];
    private readonly Dictionary<IActorRef, int> _samplerIds = [];
    private int _nextSamplerId;
    private IActorRef _accumulator = ActorRefs.Nobody;
    private IActorRef _verifiers = ActorRefs.Nobody;
    private IActorRef _filter = ActorRefs.Nobody;

    private long _version;
    private long _step;
    private StepState? _current;
    private WorkSet? _work;
    private EvalReport? _firstEval;
    private EvalReport? _lastEval;
    private bool _waitingForSync = true;
    private Action? _afterSync;
    private readonly Stopwatch _evalClock = new();

    public TrainingCoordinatorActor(DashSettings settings, ITrainingData data, PipelineParts parts, IActorRef listener, RunContext run)
    {
        _settings = settings;
        _data = data;
        _parts = parts;
        _listener = listener;
        _run = run;
        _version = -1; // Unknown until the samplers acknowledge the learner's first published weights.
        Recover<IRunEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(o => _state = (RunState)o.Snapshot);
        Recover<RecoveryCompleted>(_ => Self.Tell(Begin.Instance));
        Command<Begin>(_ => OnBegin());
        Command<SamplerReady>(OnSamplerReady);
        Command<WeightsApplied>(OnWeightsApplied);
        Command<ShardSampled>(OnShardSampled);
        Command<ShardFailed>(OnShardFailed);
        Command<BatchScored>(OnEvalScored);
        Command<RoundLearned>(OnRoundLearned);
        Command<CheckpointSaved>(OnCheckpointSaved);
        Command<CheckpointFailed>(OnCheckpointFailed);
        Command<Terminated>(m => LoseSampler(m.ActorRef, "it stopped"));
        Command<ClusterEvent.MemberUp>(m => Greet(m.Member));
        Command<RegreetTick>(_ => Regreet());
        Command<ClusterEvent.UnreachableMember>(m => LoseNode(m.Member.Address, "its node became unreachable"));
        Command<ClusterEvent.MemberRemoved>(m => LoseNode(m.Member.Address, "its node left the cluster"));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { }); // Events are the durability guarantee; a lost snapshot costs only replay time.
    }

    public static Props Props(DashSettings settings, ITrainingData data, IEngineFactory factory, IActorRef listener, RunContext? run = null) =>
        Props(settings, data, new PipelineParts(settings, factory), listener, run);

    /// <param name="parts">Where samplers, learner and verifiers come from (in-process, sampler nodes, or simulated).</param>
    public static Props Props(DashSettings settings, ITrainingData data, PipelineParts parts, IActorRef listener, RunContext? run = null) =>
        Akka.Actor.Props.Create(() => new TrainingCoordinatorActor(settings, data, parts, listener, run ?? RunContext.InMemory()));

    public override string PersistenceId => $"run-{_run.RunId}";

    /// <summary>From the newest snapshot, unless it was found damaged: then from every event.</summary>
    public override Recovery Recovery => _run.IgnoreSnapshots ? new Recovery(SnapshotSelectionCriteria.None) : base.Recovery;

    /// <summary>Sent to self once recovery is complete: the pipeline starts outside the recovery callback.</summary>
    private sealed class Begin
    {
        public static readonly Begin Instance = new();
    }

    /// <summary>
    /// Samplers and verifiers that throw are restarted (a sampler's shard comes back through <see cref="ShardFailed"/>);
    /// a learner failure escalates, so the supervisor restarts this coordinator from the last committed step. A child
    /// that cannot even be created (a model that does not load, a device that refuses an op) escalates too: restarting
    /// it cannot help, and the run must end with the cause instead of waiting for an actor that never comes.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1),
            decider: Decider.From(e => e is LearnerException or ActorInitializationException ? Directive.Escalate : Directive.Restart));

    private void StartPipeline(string? resumeFrom)
    {
        _step = _state.NextStep;
        _verifiers = Context.ActorOf(_parts.Verifiers(), "verifiers");
        _accumulator = Context.ActorOf(_parts.Learner(_run.Checkpoints, resumeFrom), "accumulator");
        _filter = Context.ActorOf(AdvantageFilterActor.Props(_settings, _accumulator), "advantage-filter");
        _parts.StartSamplers(Context, Self);
        if (_parts.Cluster)
        {
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
            Timers.StartPeriodicTimer("regreet", RegreetTick.Instance, _settings.Coordinator.Regreet);
        }
        // Each sampler announces itself and is sent the learner's weights; once all hold them, evaluate (fresh run) and start.
        _phases.Enter(Phases.WeightSync);
        // A crash between a step's commit and its evaluation leaves that evaluation due: run it before going on.
        _afterSync = EvalDue(_step) && !_state.Evals.Any(e => e.Step == _step) ? () => StartEval(then: StartStep) : StartStep;
    }

    // ---- samplers and weights -------------------------------------------------------------------------------------

    private void OnSamplerReady(SamplerReady m)
    {
        if (!_samplerIds.TryGetValue(Sender, out var id))
        {
            // A sampler this coordinator has not seen: it gets this learner's weights whatever it holds (after a failover
            // it may hold a version of the same number from a step that was never committed).
            id = _nextSamplerId++;
            _samplerIds[Sender] = id;
            _samplers[id] = Sender;
            _samplerVersion[id] = -1;
            Context.Watch(Sender);
            _accumulator.Tell(new SendWeightsTo(Sender));
            if (_parts.Cluster) _listener.Tell(new SamplersChanged($"sampler joined: {Sender.Path} ({_samplers.Count} sampler(s))", _samplers.Count));
        }
        else
        {
            _samplerVersion[id] = m.PolicyVersion;
            if (m.PolicyVersion < 0) _accumulator.Tell(new SendWeightsTo(Sender)); // Restarted (or a failed checksum): resend.
        }
        _idle.Add(id);
        Dispatch();
    }

    private void OnWeightsApplied(WeightsApplied m)
    {
        if (!_samplerIds.TryGetValue(Sender, out var id)) return; // From a sampler already given up as lost.
        _samplerVersion[id] = m.PolicyVersion;
        if (_version < 0) _version = m.PolicyVersion;
        CheckSync();
        Dispatch();
    }

    /// <summary>A sampler stopped or its node is gone: its shards go back to the queue and it no longer counts for sync.</summary>
    private void LoseSampler(IActorRef sampler, string why)
    {
        if (!_samplerIds.Remove(sampler, out var id)) return;
        _samplers.Remove(id);
        _samplerVersion.Remove(id);
        _idle.Remove(id);
        Context.Unwatch(sampler);
        var reissued = _work?.SamplerLost(id) ?? 0;
        _accumulator.Tell(new SamplerLeft(sampler));
        _listener.Tell(new TrainingWarning($"sampler {sampler.Path} is gone ({why}); {reissued} shard(s) re-issued, {_samplers.Count} sampler(s) left."));
        if (!_parts.Cluster && _samplers.Count == 0)
        {
            // In one process no sampler will ever join again: end the run with the cause instead of waiting.
            _listener.Tell(new TrainingFailed(
                $"every sampler stopped after failing repeatedly (last error: {_lastSamplerError ?? why}). " + (_state.NextStep > 0
                    ? "The run is intact up to its last committed step; fix the cause and run the same command to resume."
                    : "No step was committed; fix the cause and run the same command to start it.")));
            Context.Stop(Self);
            return;
        }
        CheckSync();
        Dispatch();
    }

    private void LoseNode(Address node, string why)
    {
        foreach (var sampler in _samplerIds.Keys.Where(r => r.Path.Address == node).ToArray()) LoseSampler(sampler, why);
    }

    private sealed class RegreetTick
    {
        public static readonly RegreetTick Instance = new();
    }

    /// <summary>Greets again every reachable sampler node none of whose samplers registered (a greeting can be lost, or a
    /// node can come up before its samplers exist).</summary>
    private void Regreet()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        var registered = _samplerIds.Keys.Select(r => r.Path.Address).ToHashSet();
        foreach (var member in cluster.State.Members.Where(m => m.Status == MemberStatus.Up && !cluster.State.Unreachable.Contains(m)))
            if (!registered.Contains(member.Address)) Greet(member);
    }

    /// <summary>Cluster mode: tells a sampler node that this coordinator is up (its samplers then register).</summary>
    private void Greet(Member member)
    {
        if (member.HasRole(ClusterRoles.Sampler))
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterRoles.SamplerHostName).Tell(new CoordinatorHello(_run.RunId));
    }

    /// <summary>Continues with <paramref name="then"/> once every sampler holds <see cref="_version"/>.</summary>
    private void WaitForSync(Action then)
    {
        _waitingForSync = true;
        _afterSync = then;
        _phases.Enter(Phases.WeightSync);
        CheckSync(); // Samplers may have acknowledged before the learner's RoundLearned reached us.
    }

    private void CheckSync()
    {
        if (!_waitingForSync || _version < 0 || _samplers.Count == 0 || !_samplerVersion.Values.All(v => v == _version)) return;
        _waitingForSync = false;
        _phases.Close();
        var next = _afterSync;
        _afterSync = null;
        next?.Invoke();
    }

    private void Dispatch()
    {
        if (_work is null || _waitingForSync) return;
        foreach (var id in _idle.Order().ToArray())
        {
            if (!_work.HasQueued) break;
            if (_samplerVersion[id] != _version) continue;
            _idle.Remove(id);
            _samplers[id].Tell(_work.Take(id));
        }
    }

    private void OnShardFailed(ShardFailed m)
    {
        _lastSamplerError = m.Reason.Split('\n', 2)[0].Trim().TrimEnd('.');
        if (_samplerIds.TryGetValue(Sender, out var id)) _idle.Remove(id);
        _work?.Failed(m.Shard);
    }

    /// <summary>A shard is sampled and on its way to the verifiers: bookkeeping only (the rows flow past the coordinator).</summary>
    private void OnShardSampled(ShardSampled m)
    {
        if (_work is null || m.Step != CurrentWorkStep || m.Round != _work.Round) return;
        if (!_work.Sampled(m.ShardId)) return;
        // From here the step waits for what the learner has not yet done (all of it, with overlap off).
        if (_work.AllSampled && !_work.IsEval) _phases.Enter(Phases.Learn);
    }

    private long CurrentWorkStep => _work is { IsEval: true } ? EvalStepId : _step;

    private long EvalStepId => StepPlan.EvalStepId(_step);

    /// <summary>An evaluation shard scored (training shards go from the verifiers to the advantage filter instead).</summary>
    private void OnEvalScored(BatchScored m)
    {
        if (_work is not { IsEval: true } || m.Batch.Step != CurrentWorkStep) return;
        _work.Scored(m.Batch, m.Correct);
        if (_work.AllScored) FinishEval();
    }
}
