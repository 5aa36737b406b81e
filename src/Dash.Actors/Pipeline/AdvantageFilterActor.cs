// Computes group advantages, drops samples with |A| <= tau before any model work, and streams packed micro-batches to the learner.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>
/// The stage between the verifiers and the learner. Scored shards arrive from the verifiers in any order; each round's
/// are taken in the plan's order (<see cref="RoundStream"/>), and the learner gets <see cref="Accumulate"/> for every
/// micro-batch as soon as complete groups fill it (overlap on), then one <see cref="RoundFiltered"/> per round. Rounds
/// and steps only move forward, so anything for a finished round is a duplicate and is dropped. With a policy lag the
/// next step's shards may arrive before this one's last: they wait, so the learner still gets the rounds one after
/// another in the plan's order.
/// </summary>
public sealed class AdvantageFilterActor : ReceiveActor
{
    private readonly DashSettings _settings;
    private readonly IActorRef _learner;
    private (long Step, int Round) _done = (long.MinValue, 0);
    private (long Step, int Round) _open = (long.MinValue, 0);
    private RoundStream? _stream;
    private (int Rows, long Tokens) _stepSoFar;
    private readonly List<BatchScored> _later = []; // Shards of a later round than the open one.

    public AdvantageFilterActor(DashSettings settings, IActorRef learner)
    {
        _settings = settings;
        _learner = learner;
        Receive<BatchScored>(OnScored);
    }

    public static Props Props(DashSettings settings, IActorRef learner) =>
        Akka.Actor.Props.Create(() => new AdvantageFilterActor(settings, learner)).WithDispatcher(Dispatchers.Compute);

    private void OnScored(BatchScored m)
    {
        var key = (m.Batch.Step, m.Batch.Round);
        if (key.CompareTo(_done) <= 0) return; // A duplicate of a shard whose round is finished.
        if (_stream is not null && key.CompareTo(_open) > 0)
        {
            _later.Add(m);
            return;
        }
        if (_stream is null || key != _open)
        {
            // The round's first shard to arrive opens it (a round opens only after the one before it was learned).
            var plan = StepPlan.For(_settings, m.Batch.Step);
            if (key.Step != _open.Step) _stepSoFar = (0, 0);
            _open = key;
            _stream = new RoundStream(plan, m.Batch.Round, _settings.Pipeline.Overlap && plan.StreamsLearning, _settings.Advantage, _settings.Learning, _stepSoFar);
        }
        foreach (var message in _stream.Offer(m)) _learner.Tell(message);
        if (!_stream.Complete) return;
        _done = key;
        _stepSoFar = _stream.Sampled;
        _stream = null;
        if (_later.Count == 0) return;
        // The earliest waiting round opens next; its shards go in again (the others wait once more).
        var waiting = _later.OrderBy(w => (w.Batch.Step, w.Batch.Round)).ToArray();
        _later.Clear();
        foreach (var w in waiting) OnScored(w);
    }
}
