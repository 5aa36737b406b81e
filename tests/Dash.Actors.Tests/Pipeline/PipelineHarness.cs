// Runs the real coordinator and actors against fake engines and collects what the coordinator reports.
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Actors.Tests.Fakes;

namespace Dash.Actors.Tests.Pipeline;

public static class PipelineHarness
{
    /// <summary>Test actor-system config: every local message goes through its serializer, as if remote.</summary>
    public static Config Config => ConfigurationFactory.ParseString("""
        akka.actor.serialize-messages = on
        akka.actor.serialize-creators = off
        akka.loglevel = WARNING
        """).WithFallback(ActorSystemConfig.Base);

    public static DashSettings Settings(string algorithm, params string[] sets) =>
        ConfigLoader.Load(sets: [
            "run.steps=4", "run.eval-every=2", "run.eval-problems=8", "sampling.prompts-per-step=8",
            "sampling.group-size=4", "sampling.batch-size=8", "learning.micro-batch-size=8", .. sets,
        ], algorithm: algorithm).Settings;

    public sealed record Run(List<StepReport> Steps, List<EvalReport> Evals, TrainingFinished Finished);

    /// <summary>Trains to the end and returns every report.</summary>
    public static Run Train(TestKitBase kit, DashSettings settings, FakeEngineFactory factory, TimeSpan? timeout = null)
    {
        var probe = kit.CreateTestProbe();
        var id = Guid.NewGuid().ToString("N")[..8];
        kit.Sys.ActorOf(TrainingCoordinatorActor.Props(settings, new FakeData(), factory, probe.Ref, RunContext.InMemory(id)), "coordinator-" + id);
        var steps = new List<StepReport>();
        var evals = new List<EvalReport>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"training did not finish; {steps.Count} steps reported.");
            var msg = probe.ReceiveOne(left) ?? throw new TimeoutException($"training did not finish; {steps.Count} steps reported.");
            switch (msg)
            {
                case StepReport s: steps.Add(s); break;
                case EvalReport e: evals.Add(e); break;
                case TrainingFinished f: return new Run(steps, evals, f);
                case TrainingFailed f: throw new InvalidOperationException(f.Reason);
            }
        }
    }
}
