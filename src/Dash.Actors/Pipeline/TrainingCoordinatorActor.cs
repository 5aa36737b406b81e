// Drives training: draws prompts, fans sampling out to samplers, scores, filters, learns, syncs weights, evaluates.
using System.Diagnostics;
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>
/// The coordinator. Each step: sample (the whole batch at once with DASH, or one micro-batch at a time with the GRPO
/// baseline), score, compute advantages and filter, accumulate gradients, step, push weights to every sampler and wait
/// for all of them (so the next samples are on-policy), then report. Work is pulled: a shard goes only to an idle
/// sampler holding the current weights, so in-flight work is bounded by the number of samplers.
/// </summary>
public sealed partial class TrainingCoordinatorActor : ReceiveActor
{
    private readonly DashSettings _settings;
    private readonly ITrainingData _data;
    private readonly IActorRef _listener;
    private readonly IEngineFactory _factory;
    private readonly Stopwatch _runClock = Stopwatch.StartNew();
    private readonly PhaseClock _phases = new();
    private readonly Dictionary<string, double> _totalPhases = [];
    private readonly Dictionary<int, long> _samplerVersion = [];
    private readonly HashSet<int> _idle = [];
    private readonly Dictionary<int, IActorRef> _samplers = [];
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

    public TrainingCoordinatorActor(DashSettings settings, ITrainingData data, IEngineFactory factory, IActorRef listener, long startStep = 0)
    {
        _settings = settings;
        _data = data;
        _factory = factory;
        _listener = listener;
        _step = startStep;
        _version = -1; // Unknown until the samplers acknowledge the learner's first published weights.
        Receive<SamplerReady>(OnSamplerReady);
        Receive<WeightsApplied>(OnWeightsApplied);
        Receive<ShardSampled>(OnShardSampled);
        Receive<ShardFailed>(OnShardFailed);
        Receive<BatchScored>(OnBatchScored);
        Receive<BatchFiltered>(OnBatchFiltered);
        Receive<OldLogProbsReady>(OnOldLogProbs);
        Receive<Accumulated>(OnAccumulated);
        Receive<StepApplied>(OnStepApplied);
    }

    public static Props Props(DashSettings settings, ITrainingData data, IEngineFactory factory, IActorRef listener, long startStep = 0) =>
        Akka.Actor.Props.Create(() => new TrainingCoordinatorActor(settings, data, factory, listener, startStep));

    /// <summary>Samplers that throw are restarted (their shard comes back through <see cref="ShardFailed"/>).</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1), decider: Decider.From(_ => Directive.Restart));

    protected override void PreStart()
    {
        for (var i = 0; i < _settings.Sampling.Samplers; i++)
        {
            _samplers[i] = Context.ActorOf(SamplerActor.Props(i, _factory, Self), $"sampler-{i}");
            _samplerVersion[i] = -1;
        }
        _verifiers = Context.ActorOf(RewardVerifierActor.PoolProps(_factory, _settings.Verifier.Workers), "verifiers");
        _filter = Context.ActorOf(AdvantageFilterActor.Props(_settings.Advantage, _settings.Learning), "advantage-filter");
        _accumulator = Context.ActorOf(GradientAccumulatorActor.Props(_factory, [.. _samplers.Values]), "accumulator");
        // The accumulator publishes its initial weights; once every sampler holds them, evaluate and start.
        _phases.Enter(Phases.WeightSync);
        _afterSync = () => StartEval(then: StartStep);
    }

    // ---- samplers and weights -------------------------------------------------------------------------------------

    private void OnSamplerReady(SamplerReady m)
    {
        _samplerVersion[m.SamplerId] = m.PolicyVersion;
        _idle.Add(m.SamplerId);
        if (m.PolicyVersion < 0)
            _accumulator.Tell(new SendWeightsTo(_samplers[m.SamplerId])); // New or restarted: (re)send the current weights.
        Dispatch();
    }

    private void OnWeightsApplied(WeightsApplied m)
    {
        _samplerVersion[m.SamplerId] = m.PolicyVersion;
        if (_version < 0) _version = m.PolicyVersion;
        CheckSync();
        Dispatch();
    }

    /// <summary>Continues with <paramref name="then"/> once every sampler holds <see cref="_version"/>.</summary>
    private void WaitForSync(Action then)
    {
        _waitingForSync = true;
        _afterSync = then;
        _phases.Enter(Phases.WeightSync);
        CheckSync(); // Samplers may have acknowledged before the learner's StepApplied reached us.
    }

    private void CheckSync()
    {
        if (!_waitingForSync || _version < 0 || !_samplerVersion.Values.All(v => v == _version)) return;
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
        _idle.Remove(m.SamplerId);
        _work?.Failed(m.Shard);
    }

    private void OnShardSampled(ShardSampled m)
    {
        if (_work is null || m.Batch.Step != CurrentWorkStep) return;
        if (m.Batch.PolicyVersion != _version && !_work.IsEval)
            throw new InvalidOperationException($"on-policy violation: shard {m.Batch.ShardId} sampled with policy {m.Batch.PolicyVersion}, current {_version}.");
        if (!_work.Sampled(m.Batch)) return;
        if (_work.AllSampled) _phases.Enter(Phases.Reward);
        _verifiers.Tell(new ScoreBatch(m.Batch));
    }

    private long CurrentWorkStep => _work is { IsEval: true } ? EvalStepId : _step;

    private long EvalStepId => -1 - _step;

    private void OnBatchScored(BatchScored m)
    {
        if (_work is null || m.Batch.Step != CurrentWorkStep) return;
        _work.Scored(m.Batch, m.Correct);
        if (!_work.AllScored) return;
        if (_work.IsEval) FinishEval();
        else RoundScored();
    }

    private List<SampleShard> MakeShards(PromptItem[] prompts, int groupSize, bool greedy, long stepId, int round)
    {
        var perShard = Math.Max(1, _settings.Sampling.BatchSize / groupSize);
        var shards = new List<SampleShard>();
        for (int i = 0, id = 0; i < prompts.Length; i += perShard, id++)
        {
            var seed = Seeds.Derive(_settings.Run.Seed, stepId, round, id);
            shards.Add(new SampleShard(stepId, id, _version, prompts[i..Math.Min(prompts.Length, i + perShard)], groupSize, seed, greedy));
        }
        return shards;
    }
}
