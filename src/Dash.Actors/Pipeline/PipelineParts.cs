// Where the coordinator's workers come from: local children (one process), sampler nodes (a cluster), or simulated devices.
using Akka.Actor;
using Dash.Actors.Cluster;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <summary>
/// Builds the actors around the coordinator. The coordinator itself is the same in every deployment; only where the
/// samplers live and how the learner and verifiers are made changes. Samplers always register themselves with
/// <see cref="Protocol.SamplerReady"/>, so local, remote and simulated samplers look alike to the coordinator.
/// </summary>
public class PipelineParts(DashSettings settings, IEngineFactory factory)
{
    public DashSettings Settings { get; } = settings;
    public IEngineFactory Factory { get; } = factory;

    /// <summary>How learner weights travel to samplers on other nodes.</summary>
    public WeightTransferSettings Transfer { get; init; } = WeightTransferSettings.Default;

    /// <summary>
    /// Cluster mode: samplers live on sampler nodes; the coordinator greets every sampler node with
    /// <see cref="Protocol.CoordinatorHello"/>, treats unreachable nodes' samplers as lost, and tells nodes when the run ends.
    /// </summary>
    public virtual bool Cluster => false;

    /// <summary>Starts the coordinator's children (verifiers, learner, advantage filter, its samplers) and, in a cluster,
    /// subscribes it to sampler nodes coming and going.</summary>
    public (IActorRef Verifiers, IActorRef Learner, IActorRef Filter) Start(IUntypedActorContext context, IActorRef coordinator,
        CheckpointStore? checkpoints, string? resumeFrom, string? behaviourFrom = null)
    {
        var verifiers = context.ActorOf(Verifiers(), "verifiers");
        var learner = context.ActorOf(Learner(checkpoints, resumeFrom, behaviourFrom), "learner");
        var filter = context.ActorOf(AdvantageFilterActor.Props(Settings, learner), "advantage-filter");
        StartSamplers(context, coordinator);
        if (Cluster) SamplerNodes.Watch(context.System, coordinator);
        return (verifiers, learner, filter);
    }

    /// <summary>Starts the samplers that belong to the coordinator (in-process: <c>dash.sampling.samplers</c> children).</summary>
    public virtual void StartSamplers(IUntypedActorContext context, IActorRef coordinator)
    {
        for (var i = 0; i < Settings.Sampling.Samplers; i++)
            context.ActorOf(SamplerActor.Props(i, Factory, coordinator), $"sampler-{i}");
    }

    /// <summary>The learner (gradient accumulator) starting fresh or from a verified checkpoint folder; with a policy lag,
    /// <paramref name="behaviourFrom"/> is the checkpoint the samplers resume sampling with (null: the initial weights).</summary>
    public virtual Props Learner(CheckpointStore? checkpoints, string? resumeFrom, string? behaviourFrom) =>
        GradientAccumulatorActor.Props(Settings, Factory, checkpoints, resumeFrom, Transfer, behaviourFrom);

    /// <summary>The reward-verifier pool.</summary>
    public virtual Props Verifiers() => RewardVerifierActor.PoolProps(Factory, Settings.Verifier.Workers);
}
