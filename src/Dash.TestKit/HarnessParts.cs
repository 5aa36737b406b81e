// The in-process pipeline of a test-kit run: the production samplers, learner and verifiers, samplers on the fault mailbox.
using Akka.Actor;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.TestKit;

/// <summary>
/// <see cref="PipelineParts"/> as in production (the coordinator's children <c>sampler-0</c> … <c>sampler-N-1</c>,
/// the learner and the verifier pool from the factory), except that the samplers use <see cref="FaultMailbox"/> when
/// the actor system declares it, so <see cref="WeightFaults"/> can act on what they receive.
/// </summary>
internal sealed class HarnessParts(DashSettings settings, FakeEngineFactory factory) : PipelineParts(settings, factory)
{
    public override void StartSamplers(IUntypedActorContext context, IActorRef coordinator)
    {
        var faulty = context.System.Settings.Config.HasPath(FaultMailbox.ConfigPath);
        for (var i = 0; i < Settings.Sampling.Samplers; i++)
        {
            var props = SamplerActor.Props(i, Factory, coordinator);
            context.ActorOf(faulty ? props.WithMailbox(FaultMailbox.ConfigPath) : props, $"sampler-{i}");
        }
    }
}
