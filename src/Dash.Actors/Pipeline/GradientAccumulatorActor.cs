// Owns the learner (model, optimizer, optional frozen reference): accumulates micro-batch gradients, steps, publishes weights.
using System.Diagnostics;
using Akka.Actor;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>The learner failed: its state may be half-updated, so the run continues from the last committed step.</summary>
public sealed class LearnerException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The learner's actor. Gradients of every micro-batch add up until <see cref="ApplyStep"/>; then the optimizer steps
/// and, when asked, the new weights go to every sampler through one reused buffer (the coordinator waits for every
/// sampler's acknowledgement before the next publish, so the buffer is never written while a sampler reads it).
/// </summary>
public sealed class GradientAccumulatorActor : ReceiveActor
{
    private readonly IEngineFactory _factory;
    private readonly IReadOnlyList<IActorRef> _samplers;
    private readonly CheckpointStore? _checkpoints;
    private readonly string? _resumeFrom;
    private IPolicyLearner? _learner;
    private float[] _weights = [];

    /// <param name="checkpoints">Where checkpoints go (null: this run keeps none).</param>
    /// <param name="resumeFrom">A verified checkpoint folder to continue from, or null to start fresh.</param>
    public GradientAccumulatorActor(IEngineFactory factory, IReadOnlyList<IActorRef> samplers, CheckpointStore? checkpoints, string? resumeFrom)
    {
        _factory = factory;
        _samplers = samplers;
        _checkpoints = checkpoints;
        _resumeFrom = resumeFrom;
        Receive<SaveCheckpoint>(OnSave);
        Receive<PrepareOldLogProbs>(m => Guard(() => OnPrepare(m)));
        Receive<Accumulate>(m => Guard(() => OnAccumulate(m)));
        Receive<ApplyStep>(m => Guard(() => OnStep(m)));
        Receive<SendWeightsTo>(m => m.Sampler.Tell(new WeightUpdate(_learner!.Version, CurrentWeights())));
    }

    public static Props Props(IEngineFactory factory, IReadOnlyList<IActorRef> samplers, CheckpointStore? checkpoints = null, string? resumeFrom = null) =>
        Akka.Actor.Props.Create(() => new GradientAccumulatorActor(factory, samplers, checkpoints, resumeFrom)).WithDispatcher(Dispatchers.Model);

    protected override void PreStart()
    {
        _learner = _factory.CreateLearner();
        if (_resumeFrom is not null) _learner.Load(_resumeFrom);
        _weights = new float[_learner.ParameterCount];
        // Samplers receive their first weights through SendWeightsTo when they announce themselves (exactly once each).
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

    private float[] CurrentWeights()
    {
        _learner!.CopyWeights(_weights);
        return _weights;
    }

    private void Publish()
    {
        var update = new WeightUpdate(_learner!.Version, CurrentWeights());
        foreach (var sampler in _samplers) sampler.Tell(update);
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
        var (name, sha) = _checkpoints.Write(m.Step, _learner!.Save);
        Sender.Tell(new CheckpointSaved(m.Step, name, sha, clock.Elapsed.TotalSeconds));
    }

    private void OnStep(ApplyStep m)
    {
        var clock = Stopwatch.StartNew();
        var stats = _learner!.Step();
        if (m.Publish) Publish();
        Sender.Tell(new StepApplied(m.Step, _learner.Version, stats.GradNorm, stats.LearningRate, clock.Elapsed.TotalSeconds));
    }
}
