// Owns the learner (model, optimizer, optional frozen reference): accumulates micro-batch gradients, steps, publishes weights.
using System.Diagnostics;
using Akka.Actor;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;

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
/// The learner's actor. Gradients of every micro-batch add up until <see cref="ApplyStep"/>; then the optimizer steps
/// and, when asked, the new weights go to every sampler through a <see cref="WeightBroadcastActor"/> (two weight
/// buffers used in turn, so the array a sampler is given is not overwritten before it has been applied). Samplers are added by <see cref="SendWeightsTo"/> and
/// removed by <see cref="SamplerLeft"/>.
/// </summary>
public sealed class GradientAccumulatorActor : ReceiveActor
{
    private readonly IEngineFactory _factory;
    private readonly WeightTransferSettings _transfer;
    private readonly CheckpointStore? _checkpoints;
    private readonly string? _resumeFrom;
    private IPolicyLearner? _learner;
    private IActorRef _broadcast = ActorRefs.Nobody;
    private readonly float[]?[] _buffers = new float[]?[2];
    private int _nextBuffer;

    /// <param name="checkpoints">Where checkpoints go (null: this run keeps none).</param>
    /// <param name="resumeFrom">A verified checkpoint folder to continue from, or null to start fresh.</param>
    /// <param name="transfer">How weights travel to samplers on other nodes.</param>
    public GradientAccumulatorActor(IEngineFactory factory, CheckpointStore? checkpoints, string? resumeFrom, WeightTransferSettings transfer)
    {
        _factory = factory;
        _transfer = transfer;
        _checkpoints = checkpoints;
        _resumeFrom = resumeFrom;
        Receive<SaveCheckpoint>(OnSave);
        Receive<PrepareOldLogProbs>(m => Guard(() => OnPrepare(m)));
        Receive<Accumulate>(m => Guard(() => OnAccumulate(m)));
        Receive<ApplyStep>(m => Guard(() => OnStep(m)));
        Receive<SendWeightsTo>(m => _broadcast.Tell(new WeightBroadcastActor.AddTarget(m.Sampler)));
        Receive<SamplerLeft>(m => _broadcast.Forward(m));
    }

    public static Props Props(IEngineFactory factory, CheckpointStore? checkpoints = null, string? resumeFrom = null, WeightTransferSettings? transfer = null) =>
        Akka.Actor.Props.Create(() => new GradientAccumulatorActor(factory, checkpoints, resumeFrom, transfer ?? WeightTransferSettings.Default))
            .WithDispatcher(Dispatchers.Model);

    protected override void PreStart()
    {
        _learner = _factory.CreateLearner();
        if (_resumeFrom is not null) _learner.Load(_resumeFrom);
        _broadcast = Context.ActorOf(WeightBroadcastActor.Props(_transfer.ChunkBytes, _transfer.Window, _transfer.StallAfter), "weights");
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

    private void Publish()
    {
        // Two buffers in turn: version v+2 overwrites v's array only after every sampler acknowledged v+1 (the coordinator
        // waits for that before the next step). A remote transfer still reading an overwritten array fails its checksum
        // and the sampler asks again, so even a late joiner never samples with mixed weights.
        var weights = _buffers[_nextBuffer] ??= new float[_learner!.ParameterCount];
        _nextBuffer ^= 1;
        _learner!.CopyWeights(weights);
        _broadcast.Tell(new WeightBroadcastActor.Publish(_learner.Version, weights));
    }

    private void OnPrepare(PrepareOldLogProbs m)
    {
        var clock = Stopwatch.StartNew();
        var old = _learner!.LogProbs(m.Batch.Rows);
        var rows = m.Batch.Rows.Select((r, i) => r with { OldLogProbs = old[i] }).ToArray();
        Sender.Tell(new OldLogProbsReady(m.Batch with { Rows = rows }, clock.Elapsed.TotalSeconds));
    }

    private void OnAccumulate(Accumulate m)
    {
        var clock = Stopwatch.StartNew();
        int rows = 0, tokens = 0;
        double loss = 0, kl = 0;
        foreach (var micro in m.MicroBatches)
        {
            var stats = _learner!.Accumulate(micro.Select(i => m.Batch.Rows[i]).ToArray(), m.NormalizerRows, m.NormalizerTokens);
            rows += stats.Rows;
            tokens += stats.Tokens;
            loss += stats.Loss;
            kl += stats.Kl;
        }
        Sender.Tell(new Accumulated(m.Batch.Step, rows, tokens, loss, kl, clock.Elapsed.TotalSeconds));
    }

    private void OnSave(SaveCheckpoint m)
    {
        var clock = Stopwatch.StartNew();
        if (_checkpoints is null)
        {
            Sender.Tell(new CheckpointSaved(m.Step, "", "", 0));
            return;
        }
        try
        {
            // Named by the number of steps done: the checkpoint after N optimizer steps is step-N.
            var (name, sha) = _checkpoints.Write(m.Step + 1, _learner!.Save);
            Sender.Tell(new CheckpointSaved(m.Step, name, sha, clock.Elapsed.TotalSeconds));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full or read-only disk: restarting cannot help, and a restarted actor would never reply. The run stops.
            Sender.Tell(new CheckpointFailed(m.Step, e.Message));
        }
    }

    private void OnStep(ApplyStep m)
    {
        var clock = Stopwatch.StartNew();
        var stats = _learner!.Step();
        if (m.Publish) Publish();
        Sender.Tell(new StepApplied(m.Step, _learner.Version, stats.GradNorm, stats.LearningRate, clock.Elapsed.TotalSeconds));
    }
}
