// Owns the learner (model, optimizer, optional frozen reference): accumulates micro-batch gradients, steps, publishes weights.
using System.Diagnostics;
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Cluster;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>How weights travel to samplers on other nodes: chunk size in bytes and unacknowledged chunks in flight.</summary>
public sealed record WeightTransferSettings(int ChunkBytes, int Window)
{
    /// <summary>hocon/cluster.conf's values.</summary>
    public static WeightTransferSettings Default => ClusterNodeSettings.DefaultTransfer.Value;

    /// <summary>A transfer with no acknowledgement for this long starts again (dash.cluster.weight-stall-seconds).</summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>The learner failed: its state may be half-updated, so the run continues from the last committed step.</summary>
public sealed class LearnerException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The learner's actor, the pipeline's last stage. The advantage filter streams it <see cref="Accumulate"/> messages in
/// the plan's order, whose gradients add up while the rest of the round is still being sampled; the round's
/// <see cref="RoundFiltered"/> then runs what remains of the plan (PPO's passes; the optimizer step after the step's
/// last round, followed by publishing the new weights to every sampler through a <see cref="WeightBroadcastActor"/>, two
/// weight buffers used in turn so the array a sampler is given is not overwritten before it has been applied) and
/// reports <see cref="RoundLearned"/> to the coordinator (its parent). Samplers are added by <see cref="SendWeightsTo"/>
/// and removed by <see cref="SamplerLeft"/>.
/// </summary>
public sealed class GradientAccumulatorActor : ReceiveActor
{
    private readonly DashSettings _settings;
    private readonly IEngineFactory _factory;
    private readonly WeightTransferSettings _transfer;
    private readonly CheckpointStore? _checkpoints;
    private readonly string? _resumeFrom;
    private readonly string? _behaviourFrom;
    private IPolicyLearner? _learner;
    private IActorRef _broadcast = ActorRefs.Nobody;
    // On-policy, two buffers in turn; with a policy lag a third holds the version not yet published (see Publish).
    private readonly float[]?[] _buffers;
    private int _nextBuffer;
    private readonly List<(long Version, float[] Weights)> _held = [];
    private RoundWork _round = new();

    /// <summary>What the learner did in the current round.</summary>
    private sealed class RoundWork
    {
        public Stopwatch Clock { get; } = new();
        public int Rows { get; set; }
        public long Tokens { get; set; }
        public double Loss { get; set; }
        public double Kl { get; set; }
    }

    /// <param name="settings">The run's settings: the learner follows each step's <see cref="StepPlan"/>.</param>
    /// <param name="checkpoints">Where checkpoints go (null: this run keeps none).</param>
    /// <param name="resumeFrom">A verified checkpoint folder to continue from, or null to start fresh.</param>
    /// <param name="behaviourFrom">With a policy lag, resuming: the checkpoint whose weights the samplers sample the next
    /// step with (null: the initial weights).</param>
    /// <param name="transfer">How weights travel to samplers on other nodes.</param>
    public GradientAccumulatorActor(DashSettings settings, IEngineFactory factory, CheckpointStore? checkpoints, string? resumeFrom,
        string? behaviourFrom, WeightTransferSettings transfer)
    {
        _settings = settings;
        _factory = factory;
        _transfer = transfer;
        _checkpoints = checkpoints;
        _resumeFrom = resumeFrom;
        _behaviourFrom = behaviourFrom;
        _buffers = new float[]?[settings.Sampling.MaxPolicyLag > 0 ? 3 : 2];
        Receive<Accumulate>(m => Guard(() => Accumulate(StepPlan.For(_settings, m.Batch.Step).AsLearned(m.Batch.Rows), m.MicroBatches, m.NormalizerRows, m.NormalizerTokens)));
        Receive<RoundFiltered>(m => Guard(() => OnRoundFiltered(m)));
        Receive<PublishWeights>(m => PublishHeld(m.PolicyVersion));
        Receive<SendWeightsTo>(m => _broadcast.Tell(new WeightBroadcastActor.AddTarget(m.Sampler)));
        Receive<SamplerLeft>(m => _broadcast.Forward(m));
    }

    public static Props Props(DashSettings settings, IEngineFactory factory, CheckpointStore? checkpoints = null, string? resumeFrom = null,
        WeightTransferSettings? transfer = null, string? behaviourFrom = null) =>
        Akka.Actor.Props.Create(() => new GradientAccumulatorActor(settings, factory, checkpoints, resumeFrom, behaviourFrom, transfer ?? WeightTransferSettings.Default))
            .WithDispatcher(Dispatchers.Model).WithMailbox(Dispatchers.LearnerMailbox);

    protected override void PreStart()
    {
        _learner = _factory.CreateLearner();
        _broadcast = Context.ActorOf(WeightBroadcastActor.Props(_transfer.ChunkBytes, _transfer.Window, _transfer.StallAfter), "weights");
        if (_resumeFrom is not null && _settings.Sampling.MaxPolicyLag > 0)
        {
            // With a policy lag the resumed step samples with the weights one step older than the learner's: publish those,
            // then load the learner's own and hold them until the coordinator asks for them.
            if (_behaviourFrom is not null) _learner.Load(_behaviourFrom);
            Publish();
            _learner.Load(_resumeFrom);
            Hold();
            return;
        }
        if (_resumeFrom is not null) _learner.Load(_resumeFrom);
        // Samplers receive the current weights through SendWeightsTo when they announce themselves.
        Publish();
    }

    protected override void PostStop()
    {
        _learner?.Dispose();
        _learner = null;
    }

    /// <summary>Learner failures escalate (the coordinator restarts from the journal); a restarted learner would
    /// silently start again from the initial weights.</summary>
    private static void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (Exception e) when (e is not LearnerException)
        {
            throw new LearnerException($"the learner failed: {e.Message}", e);
        }
    }

    /// <summary>Sends the learner's current weights to every sampler.</summary>
    private void Publish() => _broadcast.Tell(new WeightBroadcastActor.Publish(_learner!.Version, Snapshot()));

    /// <summary>With a policy lag: keeps a copy of the weights just stepped to, published when the coordinator asks
    /// (<see cref="PublishWeights"/>, once the samplers finished the step they sample with the version before).</summary>
    private void Hold() => _held.Add((_learner!.Version, Snapshot()));

    private void PublishHeld(long version)
    {
        var index = _held.FindIndex(h => h.Version == version);
        if (index < 0) return; // Already published (a repeated request).
        _broadcast.Tell(new WeightBroadcastActor.Publish(version, _held[index].Weights));
        _held.RemoveRange(0, index + 1);
    }

    /// <summary>
    /// The weights in the next of the buffers used in turn. On-policy, two: version v+2 overwrites v's array only after
    /// every sampler acknowledged v+1 (the coordinator waits for that before the next step). With a policy lag, three:
    /// one the samplers hold, one held or being published, and the newest; the oldest is overwritten only after the
    /// samplers moved on from it (they sample a step with version v only once every sampler acknowledged it, and the
    /// learner steps past v+1 only after that step is sampled). A remote transfer still reading an overwritten array
    /// fails its checksum and the sampler asks again, so even a late joiner never samples with mixed weights.
    /// </summary>
    private float[] Snapshot()
    {
        var weights = _buffers[_nextBuffer] ??= new float[_learner!.ParameterCount];
        _nextBuffer = (_nextBuffer + 1) % _buffers.Length;
        _learner!.CopyWeights(weights);
        return weights;
    }

    private void Accumulate(IReadOnlyList<Rollout> rows, int[][] microBatches, int normalizerRows, long normalizerTokens)
    {
        _round.Clock.Start();
        foreach (var micro in microBatches)
        {
            var stats = _learner!.Accumulate(micro.Select(i => rows[i]).ToArray(), normalizerRows, normalizerTokens);
            _round.Rows += stats.Rows;
            _round.Tokens += stats.Tokens;
            _round.Loss += stats.Loss;
            _round.Kl += stats.Kl;
        }
        _round.Clock.Stop();
    }

    /// <summary>The round's rows are all accumulated (or, for PPO, here): finish the round as the plan says.</summary>
    private void OnRoundFiltered(RoundFiltered m)
    {
        _round.Clock.Start();
        var plan = StepPlan.For(_settings, m.Step);
        OptimizerStats? last = null;
        if (plan.ReusesBatch)
        {
            // PPO: several optimizer steps over the batch need its pre-update log-probs for the ratio (off-policy: the
            // samplers' own, the behaviour policy's).
            RolloutBatch batch;
            if (plan.OffPolicy) batch = m.Kept with { Rows = [.. plan.AsLearned(m.Kept.Rows)] };
            else
            {
                var old = _learner!.LogProbs(m.Kept.Rows);
                batch = m.Kept with { Rows = [.. m.Kept.Rows.Select((r, i) => r with { OldLogProbs = old[i] })] };
            }
            foreach (var update in plan.PpoUpdates(batch, m.NormalizerTokens))
            {
                Accumulate(update.Batch.Rows, update.MicroBatches, update.NormalizerRows, update.NormalizerTokens);
                _round.Clock.Start();
                last = _learner!.Step();
            }
        }
        else if (plan.IsLastRound(m.Round))
        {
            last = _learner!.Step();
        }
        // Samplers get new weights once per training step, after its last round: every round samples with the same weights.
        // With a policy lag they are held until the coordinator asks for them.
        var stepped = plan.IsLastRound(m.Round);
        if (stepped && plan.OffPolicy) Hold();
        else if (stepped) Publish();
        _round.Clock.Stop();
        Context.Parent.Tell(new RoundLearned(m.Step, m.Round, m.Tally, _round.Rows, _round.Tokens, _round.Loss, _round.Kl,
            last?.GradNorm ?? 0, last?.LearningRate ?? 0, _learner!.Version, stepped, _round.Clock.Elapsed.TotalSeconds));
        _round = new RoundWork();
        if (stepped) Save(m.Step); // Before the next step's rows (already arriving with a policy lag) change the weights.
    }

    /// <summary>Writes the step's checkpoint (atomically) and tells the coordinator it is durable, or why it is not.</summary>
    private void Save(long step)
    {
        var clock = Stopwatch.StartNew();
        if (_checkpoints is null || !RunDecisions.CheckpointDue(step, _settings.Run, _settings.Coordinator.CheckpointEvery, _settings.Sampling.MaxPolicyLag))
        {
            Context.Parent.Tell(new CheckpointSaved(step, "", "", 0));
            return;
        }
        try
        {
            // Named by the number of steps done: the checkpoint after N optimizer steps is step-N.
            var (name, sha) = _checkpoints.Write(step + 1, _learner!.Save);
            Context.Parent.Tell(new CheckpointSaved(step, name, sha, clock.Elapsed.TotalSeconds));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full or read-only disk: restarting cannot help, and a restarted actor would never reply. The run stops.
            Context.Parent.Tell(new CheckpointFailed(step, e.Message));
        }
    }
}
