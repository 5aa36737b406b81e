// A simulated learner: the gradient accumulator's protocol with virtual compute time and weight transfers.
using System.Globalization;
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Simulation;

/// <summary>
/// Replaces <see cref="Pipeline.GradientAccumulatorActor"/> and speaks its protocol. One device: jobs (a streamed
/// micro-batch, PPO's old log-probs and passes, the optimizer step) run one after another in virtual time, and each
/// round's <see cref="RoundLearned"/> goes to the coordinator when its last job is done (with a policy lag the version is
/// held until <see cref="PublishWeights"/>). A published version goes to
/// every known sampler; with a shared uplink the copies leave one after another (the k-th sampler waits for k copies),
/// otherwise all in parallel. A sampler that joins later gets the current version the same way.
/// </summary>
public sealed class SimLearnerActor : ReceiveActor
{
    private readonly SimContext _sim;
    private readonly DashSettings _settings;
    private int _rows;
    private long _tokens;
    private double _roundStart = -1;
    private readonly List<IActorRef> _samplers = [];
    private long _version; // The learner's.
    private long _published; // The samplers' (behind the learner's with a policy lag, until PublishWeights).
    private readonly List<(long Version, double Ready)> _held = [];
    private double _busyUntil;
    private double _uplinkFreeAt;

    public SimLearnerActor(SimContext sim, DashSettings settings)
    {
        _sim = sim;
        _settings = settings;
        Receive<SendWeightsTo>(m =>
        {
            if (!_samplers.Contains(m.Sampler)) _samplers.Add(m.Sampler);
            Send(m.Sampler, _sim.Clock.Now);
        });
        Receive<SamplerLeft>(m => _samplers.Remove(m.Sampler));
        Receive<Accumulate>(m =>
        {
            var rows = m.MicroBatches.SelectMany(mb => mb).Select(i => m.Batch.Rows[i]).ToArray();
            Run(Tokens(rows) * _sim.Cost.LearnerTokenSeconds);
            _rows += rows.Length;
            _tokens += rows.Sum(r => (long)r.CompletionIds.Length);
        });
        Receive<RoundFiltered>(OnRoundFiltered);
        Receive<PublishWeights>(m =>
        {
            var index = _held.FindIndex(h => h.Version == m.PolicyVersion);
            if (index < 0) return;
            Publish(m.PolicyVersion, Math.Max(_sim.Clock.Now, _held[index].Ready));
            _held.RemoveRange(0, index + 1);
        });
    }

    public static Props Props(SimContext sim, DashSettings settings) => Akka.Actor.Props.Create(() => new SimLearnerActor(sim, settings));

    /// <summary>The round's rows are accumulated: PPO's passes, the optimizer step after the last round, then the report.</summary>
    private void OnRoundFiltered(RoundFiltered m)
    {
        var plan = StepPlan.For(_settings, m.Step);
        var cost = _sim.Cost;
        if (plan.ReusesBatch)
        {
            var updates = plan.PpoUpdates(m.Kept, m.NormalizerTokens);
            Run(Tokens(m.Kept.Rows) * cost.ForwardTokenSeconds);
            foreach (var u in updates)
            {
                var rows = u.Batch.Rows;
                Run(Tokens(rows) * cost.LearnerTokenSeconds + cost.OptimizerStepSeconds);
                _rows += rows.Length;
                _tokens += rows.Sum(r => (long)r.CompletionIds.Length);
                _version++;
            }
        }
        else if (plan.IsLastRound(m.Round))
        {
            Run(cost.OptimizerStepSeconds);
            _version++;
        }
        var publish = plan.IsLastRound(m.Round);
        if (publish && plan.OffPolicy) _held.Add((_version, _busyUntil));
        else if (publish) Publish(_version, _busyUntil);
        var started = _roundStart < 0 ? _sim.Clock.Now : _roundStart;
        var reported = Math.Max(0, _busyUntil - _sim.Clock.Now) + cost.LatencySeconds;
        _sim.Clock.Schedule(reported, Context.Parent,
            new RoundLearned(m.Step, m.Round, m.Tally, _rows, _tokens, 0, 0, 0, 0, _version, publish, _busyUntil - started), Self);
        if (publish) _sim.Clock.Schedule(reported, Context.Parent, new CheckpointSaved(m.Step, "", "", 0), Self); // Simulated runs keep no checkpoints.
        (_rows, _tokens, _roundStart) = (0, 0, -1);
    }

    protected override void PreStart() => _sim.Metrics.Publishes[0] = (0, 0);

    private static long Tokens(IEnumerable<Rollout> rows) => rows.Sum(r => (long)r.PromptIds.Length + r.CompletionIds.Length);

    /// <summary>Runs a job after the ones before it on the one device. Returns the virtual time it ends.</summary>
    private double Run(double seconds)
    {
        var now = _sim.Clock.Now;
        var start = Math.Max(now, _busyUntil);
        if (_roundStart < 0) _roundStart = start;
        _busyUntil = start + seconds;
        _sim.Metrics.LearnerBusy.Add((start, _busyUntil));
        return _busyUntil;
    }

    private void Publish(long version, double at)
    {
        _published = version;
        _sim.Metrics.Publishes[version] = (at, at);
        foreach (var sampler in _samplers) Send(sampler, at);
    }

    /// <summary>Schedules the current version's arrival at a sampler, the copy leaving no earlier than <paramref name="at"/>.</summary>
    private void Send(IActorRef sampler, double at)
    {
        var cost = _sim.Cost;
        var wire = cost.WeightBytes / cost.BandwidthBytesPerSecond;
        var leaves = cost.SharedUplink ? Math.Max(at, _uplinkFreeAt) : at;
        if (cost.SharedUplink) _uplinkFreeAt = leaves + wire;
        var arrives = leaves + wire + cost.LatencySeconds;
        var sha = "sim-" + _published.ToString(CultureInfo.InvariantCulture);
        _sim.Clock.Schedule(arrives - _sim.Clock.Now, sampler, new WeightUpdate(_published, [], sha), Self);
    }
}
