// The pipeline specs' defaults over the test kit: 4 steps, evaluation every 2, training straight to the end in memory.
using Akka.Configuration;
using Akka.TestKit;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Pipeline;

public static class PipelineHarness
{
    /// <summary>Test actor-system config: every local message goes through its serializer, as if remote.</summary>
    public static Config Config => DashHarness.InMemoryConfig;

    public static DashSettings Settings(string algorithm, params string[] sets) =>
        DashHarness.Preset(algorithm, ["run.steps=4", "run.eval-every=2", .. sets]).Settings;

    /// <summary>Trains to the end in the test kit's actor system and returns every report.</summary>
    public static RunOutcome Train(TestKitBase kit, DashSettings settings, FakeEngineFactory factory, TimeSpan? timeout = null) =>
        DashHarness.Train(kit.Sys, settings, factory, timeout);
}
