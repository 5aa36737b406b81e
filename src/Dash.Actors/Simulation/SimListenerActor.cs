// Receives the coordinator's reports (and the actor system's errors) and stamps them with virtual time.
using Akka.Actor;
using Akka.Event;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Actors.Simulation;

/// <summary>The simulation's listener: step reports go into <see cref="SimMetrics.Steps"/>; warnings, failures and error logs into Problems.</summary>
public sealed class SimListenerActor : ReceiveActor
{
    public SimListenerActor(SimContext sim)
    {
        var m = sim.Metrics;
        Receive<StepReport>(r => m.Steps.Add((sim.Clock.Now, r)));
        Receive<EvalReport>(_ => { });
        Receive<TrainingWarning>(w => m.Problems.Add("warning: " + w.Message));
        Receive<TrainingFailed>(f =>
        {
            m.Problems.Add("failed: " + f.Reason);
            m.Done = true;
        });
        Receive<TrainingFinished>(_ => m.Done = true);
        Receive<Error>(e => m.Problems.Add($"error in {e.LogSource}: {e.Message}{(e.Cause is null ? "" : " (" + e.Cause.Message + ")")}"));
    }

    public static Props Props(SimContext sim) => Akka.Actor.Props.Create(() => new SimListenerActor(sim));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(Error));
}
