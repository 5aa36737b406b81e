// Dispatcher names and HOCON: model-owning actors get a thread each, so torch work never blocks the default dispatcher.
using Akka.Configuration;
using Akka.Dispatch;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

public static class Dispatchers
{
    /// <summary>A pinned dispatcher: one dedicated thread per actor (samplers, the accumulator).</summary>
    public const string Model = "dash-model-dispatcher";

    /// <summary>A small pool of dedicated threads for CPU-bound scoring (verifiers, the advantage filter).</summary>
    public const string Compute = "dash-compute-dispatcher";

    /// <summary>The learner's mailbox (<see cref="LearnerMailbox"/>).</summary>
    public const string LearnerMailbox = "dash-learner-mailbox";

    /// <summary>
    /// Threads of <see cref="Compute"/> on a node: <c>dash.verifier.threads</c>, or when it is 0, the cores left after
    /// the <paramref name="modelThreads"/> threads of this node's model-owning actors (at least 1), and no more than the
    /// pool's workers plus the filter can use. A 2-core laptop with one sampler and the learner gets 1; a 16-core node
    /// with 8 samplers and the learner gets 3 (workers = 2) or 7 (workers = 6).
    /// </summary>
    public static int ComputeThreads(VerifierSettings verifier, int modelThreads, int cores) =>
        verifier.Threads > 0 ? verifier.Threads : Math.Clamp(cores - modelThreads, 1, verifier.Workers + 1);

    /// <summary><see cref="Compute"/> with exactly <paramref name="threads"/> dedicated threads; layer it over <see cref="Hocon"/>.</summary>
    public static Akka.Configuration.Config ComputeHocon(int threads) => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        {{Compute}}.fork-join-executor { parallelism-min = {{threads}}, parallelism-factor = 1.0, parallelism-max = {{threads}} }
        """);

    /// <summary>
    /// Whether this process's model-owning actors share one thread (<c>dash.model.share-cpu-thread</c>): <c>on</c>, <c>off</c>,
    /// or with <c>auto</c> when <paramref name="allOnCpu"/>, there are at least two <paramref name="actors"/>, they
    /// <paramref name="takeTurns"/> (one sampler and the learner, on-policy: neither has work while the other computes),
    /// and their torch threads (<paramref name="threadsEach"/> each) outnumber the <paramref name="cores"/>. Each pinned
    /// thread has its own torch (OpenMP) pool; more pool threads than cores makes them spin, sleep and wake around every
    /// kernel. Several samplers, or a learner a policy lag lets run beside the sampler, keep a thread each: they are
    /// meant to compute at the same time.
    /// </summary>
    public static bool SharesCpuThread(string setting, int actors, bool takeTurns, bool allOnCpu, int threadsEach, int cores) => setting switch
    {
        "on" => true,
        "off" => false,
        _ => allOnCpu && takeTurns && actors > 1 && (long)actors * threadsEach > cores,
    };

    /// <summary><see cref="Model"/> as one shared thread: the model-owning actors take turns, one message at a time.</summary>
    public static Akka.Configuration.Config SharedModelHocon => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        {{Model}} {
          type = Dispatcher
          executor = fork-join-executor
          fork-join-executor { parallelism-min = 1, parallelism-factor = 1.0, parallelism-max = 1 }
          throughput = 1
        }
        """);

    public static Akka.Configuration.Config Hocon => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        {{Model}} {
          type = PinnedDispatcher
          executor = thread-pool-executor
        }
        {{LearnerMailbox}} {
          mailbox-type = "{{typeof(LearnerMailbox).FullName}}, {{typeof(LearnerMailbox).Assembly.GetName().Name}}"
        }
        {{Compute}} {
          type = Dispatcher
          executor = fork-join-executor
          fork-join-executor { parallelism-min = 1, parallelism-factor = 1.0, parallelism-max = 4 }
          throughput = 1
        }
        """);
}

/// <summary>
/// The learner's mailbox: <see cref="PublishWeights"/> goes before the queued micro-batches (with a policy lag the samplers
/// wait for it while the learner works through the next step); everything else keeps its order.
/// </summary>
public sealed class LearnerMailbox(Akka.Actor.Settings settings, Config config) : UnboundedStablePriorityMailbox(settings, config)
{
    protected override int PriorityGenerator(object message) => message is PublishWeights ? 0 : 1;
}
