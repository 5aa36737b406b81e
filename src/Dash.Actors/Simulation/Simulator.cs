// Runs the real coordinator with simulated samplers, learner and verifiers under virtual time, and summarises the run.
using Akka.Actor;
using Akka.Configuration;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors.Simulation;

/// <summary>What a simulation predicts, per optimizer step (virtual seconds) unless named otherwise.</summary>
/// <param name="MeanStepSeconds">Mean time of one optimizer step, from the previous commit (step 0: the initial weight sync) to its commit.</param>
/// <param name="SampleSeconds">Mean time per step during which at least one sampler was sampling.</param>
/// <param name="LearnSeconds">Mean learner compute per step (old log-probs, forward+backward, optimizer).</param>
/// <param name="WeightSyncSeconds">Mean time per step from the optimizer step's end until the last sampler acknowledged the new weights.</param>
/// <param name="OtherSeconds">The rest of a step: scoring, messages' latency, waiting.</param>
/// <param name="SamplerUtilisation">Fraction of the samplers' time spent sampling (all samplers together).</param>
/// <param name="LearnerUtilisation">Fraction of the learner's time spent computing.</param>
/// <param name="VerifierUtilisation">Fraction of the verifier workers' time spent scoring (all workers together).</param>
/// <param name="KeptFraction">Samples kept by gradient filtering.</param>
/// <param name="SamplesPerSecond">Sampled completions per virtual second.</param>
/// <param name="Events">Virtual-time events the clock released (a measure of the simulation's work).</param>
/// <param name="StepSeconds">Every step's time, in order.</param>
/// <param name="Problems">Warnings and errors the run reported (none in a healthy run).</param>
public sealed record SimulationResult(
    string Algorithm, int Samplers, int Steps, double MeanStepSeconds, double SampleSeconds, double LearnSeconds,
    double WeightSyncSeconds, double OtherSeconds, double SamplerUtilisation, double LearnerUtilisation, double VerifierUtilisation, double KeptFraction,
    double SamplesPerSecond, long Events, IReadOnlyList<double> StepSeconds, IReadOnlyList<string> Problems);

/// <summary>
/// Runs <see cref="TrainingCoordinatorActor"/> — the real one, with its journal — against <see cref="SimulatedParts"/>
/// under virtual time. Every actor of the simulation's ActorSystem runs on one <see cref="SimLoop"/> thread; the
/// calling thread is the driver: it waits until the loop is quiescent, then releases the earliest
/// <see cref="VirtualClock"/> event, until the coordinator reports the run finished. Nothing sleeps, nothing depends
/// on wall-clock time or thread timing, so a simulation is deterministic and its time independent of the machine.
/// </summary>
public static class Simulator
{
    /// <summary>The largest cluster a simulation accepts.</summary>
    public const int MaxSamplers = 1000;

    /// <summary>Simulates <paramref name="steps"/> optimizer steps with <paramref name="samplers"/> samplers (evaluation off).</summary>
    public static SimulationResult Run(DashSettings settings, int samplers, CostModel cost, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samplers, MaxSamplers);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var s = settings with
        {
            Run = settings.Run with { Steps = steps, EvalEvery = 0, EvalProblems = 0 },
            Sampling = settings.Sampling with { Samplers = samplers },
        };
        using var loop = new SimLoop();
        var clock = new VirtualClock(loop);
        var metrics = new SimMetrics();
        var sim = new SimContext(clock, cost, metrics, s.Sampling.MaxNewTokens);
        var system = ActorSystem.Create("dash-sim", SystemConfig(loop.Id));
        long events = 0;
        try
        {
            loop.Watch();
            var listener = system.ActorOf(SimListenerActor.Props(sim), "listener");
            system.ActorOf(TrainingCoordinatorActor.Props(s, new SyntheticData(cost, s.Run.Seed), new SimulatedParts(s, sim, samplers), listener,
                RunContext.InMemory("simulation")), "coordinator");
            while (true)
            {
                loop.WaitQuiescent();
                if (loop.Failure is { } failure) throw new InvalidOperationException($"the simulation loop failed: {failure.Message}", failure);
                if (metrics.Done) break;
                if (!clock.TryAdvance(out var next))
                    throw new InvalidOperationException($"the simulation stalled at {clock.Now:0.###} s after {metrics.Steps.Count} step(s): " +
                                                        $"nothing is scheduled and the run has not finished. {string.Join(" ", metrics.Problems)}");
                events++;
                next.Target.Tell(next.Message, next.Sender);
            }
            loop.Unwatch();
            if (loop.ForeignWork > 0)
                metrics.Problems.Add($"{loop.ForeignWork} work item(s) arrived from outside the simulation loop: the run may not be deterministic.");
        }
        finally
        {
            loop.Unwatch();
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
        return Summarise(s, samplers, cost, metrics, events);
    }

    /// <summary>Every dispatcher on the loop; the synchronous journal and snapshot store; quiet logging.</summary>
    private static Config SystemConfig(string loopId)
    {
        var executor = $"executor = \"{typeof(SimExecutorConfigurator).AssemblyQualifiedName}\"\nsim-loop = \"{loopId}\"";
        var onLoop = $"{{\ntype = Dispatcher\n{executor}\nthroughput = 100\n}}";
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = ERROR
              stdout-loglevel = ERROR
              actor.default-dispatcher = {{onLoop}}
              actor.internal-dispatcher = {{onLoop}}
              persistence.journal.plugin = "dash-sim.journal"
              persistence.snapshot-store.plugin = "dash-sim.snapshot-store"
            }
            {{Dispatchers.Model}} = {{onLoop}}
            {{Dispatchers.Compute}} = {{onLoop}}
            dash-sim.journal {
              class = "{{typeof(SimJournal).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
            dash-sim.snapshot-store {
              class = "{{typeof(SimSnapshotStore).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
            """).WithFallback(ActorSystemConfig.Base);
    }

    private static SimulationResult Summarise(DashSettings s, int samplers, CostModel cost, SimMetrics m, long events)
    {
        var steps = m.Steps.Select(x => x.Report).ToArray();
        if (steps.Length == 0) throw new InvalidOperationException($"the simulation committed no step. {string.Join(" ", m.Problems)}");
        // Step 0 starts when the last sampler acknowledged the initial weights (the coordinator then starts it at once).
        var begin = m.Publishes[0].LastDelivered + cost.LatencySeconds;
        var ends = m.Steps.Select(x => x.Time).ToArray();
        var stepSeconds = ends.Select((end, k) => end - (k == 0 ? begin : ends[k - 1])).ToArray();
        var end = ends[^1];
        var total = end - begin;
        var n = steps.Length;
        var sample = Union(m.SamplerBusy.Select(b => (b.Start, b.End)), begin, end);
        var learn = Union(m.LearnerBusy, begin, end);
        var sync = m.Publishes.Where(p => p.Key > 0).Sum(p => p.Value.LastDelivered - p.Value.Published + cost.LatencySeconds);
        var samplerBusy = m.SamplerBusy.Sum(b => Math.Max(0, Math.Min(b.End, end) - Math.Max(b.Start, begin)));
        var kept = steps.Sum(r => (long)r.Kept);
        var seen = steps.Sum(r => (long)r.Kept + r.Dropped);
        var mean = total / n;
        var phases = (sample + learn + sync) / n;
        return new SimulationResult(
            s.Algorithm, samplers, n, mean, sample / n, learn / n, sync / n, Math.Max(0, mean - phases),
            total > 0 ? samplerBusy / (samplers * total) : 0, total > 0 ? learn / total : 0,
            total > 0 ? m.VerifierBusy.Sum(b => Math.Max(0, Math.Min(b.End, end) - Math.Max(b.Start, begin))) / (s.Verifier.Workers * total) : 0,
            seen == 0 ? 0 : (double)kept / seen, total > 0 ? steps.Sum(r => (double)r.Samples) / total : 0, events, stepSeconds, [.. m.Problems]);
    }

    /// <summary>The length of the union of intervals, clipped to [from, to].</summary>
    private static double Union(IEnumerable<(double Start, double End)> intervals, double from, double to)
    {
        double covered = 0, reach = from;
        foreach (var (start, stop) in intervals.Select(i => (Math.Max(i.Start, from), Math.Min(i.End, to))).Where(i => i.Item2 > i.Item1).OrderBy(i => i.Item1))
        {
            if (stop <= reach) continue;
            covered += stop - Math.Max(start, reach);
            reach = stop;
        }
        return covered;
    }
}
