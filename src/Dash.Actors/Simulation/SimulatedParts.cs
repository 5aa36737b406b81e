// The coordinator's workers in a simulation: simulated samplers, learner and verifier pool in place of the real ones.
using Akka.Actor;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors.Simulation;

/// <summary>Plugs simulated actors into the real coordinator: <paramref name="samplers"/> samplers, one learner, the verifier pool.</summary>
public sealed class SimulatedParts(DashSettings settings, SimContext sim, int samplers) : PipelineParts(settings, new NoEngines())
{
    public override void StartSamplers(IUntypedActorContext context, IActorRef coordinator)
    {
        for (var i = 0; i < samplers; i++) context.ActorOf(SimSamplerActor.Props(i, coordinator, sim), $"sampler-{i}");
    }

    public override Props Learner(CheckpointStore? checkpoints, string? resumeFrom, string? behaviourFrom) => SimLearnerActor.Props(sim, Settings);

    public override Props Verifiers() => SimVerifierActor.Props(sim, Settings.Verifier.Workers);

    /// <summary>A simulation builds no engines.</summary>
    private sealed class NoEngines : IEngineFactory
    {
        public IPolicySampler CreateSampler(int samplerId) => throw new NotSupportedException("a simulation has no sampler engines.");

        public IPolicyLearner CreateLearner() => throw new NotSupportedException("a simulation has no learner engine.");

        public IRewardScorer CreateScorer() => throw new NotSupportedException("a simulation has no scorer engine.");
    }
}
