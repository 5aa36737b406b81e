// What simulated actors record in virtual time: busy intervals per role, weight transfers, step boundaries.
using Dash.Actors.Protocol;

namespace Dash.Actors.Simulation;

/// <summary>
/// Virtual-time measurements of one simulation. Written only by actors on the <see cref="SimLoop"/> thread (one writer,
/// no locks) and read by the driver after the run.
/// </summary>
public sealed class SimMetrics
{
    /// <summary>[start, end) of every shard a sampler worked on.</summary>
    public List<(int Sampler, double Start, double End)> SamplerBusy { get; } = [];

    /// <summary>[start, end) of every learner job (old log-probs, accumulation, optimizer step).</summary>
    public List<(double Start, double End)> LearnerBusy { get; } = [];

    /// <summary>[start, end) of every verifier job.</summary>
    public List<(double Start, double End)> VerifierBusy { get; } = [];

    /// <summary>Per published version: when the learner published it and when the last sampler had it.</summary>
    public Dictionary<long, (double Published, double LastDelivered)> Publishes { get; } = [];

    /// <summary>Every committed step's report with the virtual time it arrived.</summary>
    public List<(double Time, StepReport Report)> Steps { get; } = [];

    /// <summary>Warnings and failures the coordinator or the actor system reported.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The run finished (the coordinator sent <see cref="TrainingFinished"/>) or failed.</summary>
    public bool Done { get; set; }

    public void Delivered(long version, double now)
    {
        if (Publishes.TryGetValue(version, out var p)) Publishes[version] = (p.Published, Math.Max(p.LastDelivered, now));
    }
}
