// A simulated learner: the gradient accumulator's protocol with virtual compute time and weight transfers.
using System.Globalization;
using Akka.Actor;
using Dash.Actors.Protocol;

namespace Dash.Actors.Simulation;

/// <summary>
/// Replaces <see cref="Pipeline.GradientAccumulatorActor"/>. One device: jobs (old log-probs, accumulation, optimizer
/// step) run one after another, each replied to when its virtual compute time has passed. A published version goes to
/// every known sampler; with a shared uplink the copies leave one after another (the k-th sampler waits for k copies),
/// otherwise all in parallel. A sampler that joins later gets the current version the same way.
/// </summary>
public sealed class SimLearnerActor : ReceiveActor
{
    private readonly SimContext _sim;
    private readonly List<IActorRef> _samplers = [];
    private long _version;
    private double _busyUntil;
    private double _uplinkFreeAt;

    public SimLearnerActor(SimContext sim)
    {
        _sim = sim;
        Receive<SendWeightsTo>(m =>
        {
            if (!_samplers.Contains(m.Sampler)) _samplers.Add(m.Sampler);
            Send(m.Sampler, _sim.Clock.Now);
        });
        Receive<SamplerLeft>(m => _samplers.Remove(m.Sampler));
        Receive<PrepareOldLogProbs>(m =>
        {
            var seconds = Tokens(m.Batch.Rows) * _sim.Cost.ForwardTokenSeconds;
            Reply(seconds, new OldLogProbsReady(m.Batch with { Rows = [.. m.Batch.Rows.Select(r => r with { OldLogProbs = new float[r.CompletionIds.Length] })] }, seconds));
        });
        Receive<Accumulate>(m =>
        {
            var rows = m.MicroBatches.SelectMany(mb => mb).Select(i => m.Batch.Rows[i]).ToArray();
            var tokens = Tokens(rows);
            var seconds = tokens * _sim.Cost.LearnerTokenSeconds;
            Reply(seconds, new Accumulated(m.Batch.Step, rows.Length, (int)tokens, 0, 0, seconds));
        });
        Receive<ApplyStep>(m =>
        {
            var seconds = _sim.Cost.OptimizerStepSeconds;
            var done = Reply(seconds, new StepApplied(m.Step, _version + 1, 0, 0, seconds));
            _version++;
            if (m.Publish) Publish(done);
        });
        Receive<SaveCheckpoint>(m => Sender.Tell(new CheckpointSaved(m.Step, "", "", 0)));
    }

    public static Props Props(SimContext sim) => Akka.Actor.Props.Create(() => new SimLearnerActor(sim));

    protected override void PreStart() => _sim.Metrics.Publishes[0] = (0, 0);

    private static long Tokens(IEnumerable<Rollout> rows) => rows.Sum(r => (long)r.PromptIds.Length + r.CompletionIds.Length);

    /// <summary>Runs a job after the ones before it; replies when it is done. Returns the virtual time it ends.</summary>
    private double Reply(double seconds, object message)
    {
        var now = _sim.Clock.Now;
        var start = Math.Max(now, _busyUntil);
        _busyUntil = start + seconds;
        _sim.Metrics.LearnerBusy.Add((start, _busyUntil));
        _sim.Clock.Schedule(_busyUntil - now + _sim.Cost.LatencySeconds, Sender, message, Self);
        return _busyUntil;
    }

    private void Publish(double at)
    {
        _sim.Metrics.Publishes[_version] = (at, at);
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
        var sha = "sim-" + _version.ToString(CultureInfo.InvariantCulture);
        _sim.Clock.Schedule(arrives - _sim.Clock.Now, sampler, new WeightUpdate(_version, [], sha), Self);
    }
}
