// Dispatcher names and HOCON: model-owning actors get a thread each, so torch work never blocks the default dispatcher.
namespace Dash.Actors.Pipeline;

public static class Dispatchers
{
    /// <summary>A pinned dispatcher: one dedicated thread per actor (samplers, the accumulator).</summary>
    public const string Model = "dash-model-dispatcher";

    /// <summary>A small pool for CPU-bound scoring (verifiers, the advantage filter).</summary>
    public const string Compute = "dash-compute-dispatcher";

    public static Akka.Configuration.Config Hocon => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        {{Model}} {
          type = PinnedDispatcher
          executor = thread-pool-executor
        }
        {{Compute}} {
          type = Dispatcher
          executor = fork-join-executor
          fork-join-executor { parallelism-min = 1, parallelism-factor = 1.0, parallelism-max = 4 }
          throughput = 1
        }
        """);
}
