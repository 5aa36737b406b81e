// A pipeline part that cannot be created (a model that does not load, a device that refuses an op) ends the run with
// the cause, instead of the coordinator waiting for an actor that never comes.
using Akka.Actor;
using Dash.Actors.Protocol;
using Dash.TestKit;

namespace Dash.Actors.Tests.Persistence;

public sealed class StartFailureSpecs : IDisposable
{
    private readonly RunHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    [InlineData("learner", "learner")]
    [InlineData("sampler", "sampler")]
    public void Should_end_the_run_with_the_cause_when_a_part_cannot_start(string part, string actorName)
    {
        var factory = new FakeEngineFactory();
        const string Cause = "Expected a 'cuda' device type for generator but found 'cpu'";
        if (part == "learner") factory.LearnerCannotStart = Cause;
        else factory.SamplerCannotStart = Cause;

        using var system = ActorSystem.Create("dash", _h.SqliteConfig());
        var seen = RunHarness.Until(_h.Start(system, "cannot-start", RunHarness.Settings(), factory), RunHarness.IsEnd, seconds: 30);
        RunHarness.Shutdown(system);

        var failed = Assert.IsType<TrainingFailed>(seen[^1]);
        Assert.Contains(Cause, failed.Reason, StringComparison.Ordinal);
        Assert.Contains(actorName, failed.Reason, StringComparison.Ordinal);
        Assert.Contains("could not start", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(seen, m => m is StepReport);
    }

    [Fact]
    public void Should_end_a_one_process_run_with_the_cause_when_every_sampler_keeps_failing()
    {
        const string Cause = "view size is not compatible with input tensor's size and stride";
        var factory = new FakeEngineFactory { SamplingAlwaysFails = Cause };

        using var system = ActorSystem.Create("dash", _h.SqliteConfig());
        var seen = RunHarness.Until(_h.Start(system, "samplers-fail", RunHarness.Settings("sampling.samplers=2"), factory), RunHarness.IsEnd, seconds: 30);
        RunHarness.Shutdown(system);

        var failed = Assert.IsType<TrainingFailed>(seen[^1]);
        Assert.Contains("every sampler stopped", failed.Reason, StringComparison.Ordinal);
        Assert.Contains(Cause, failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(seen, m => m is StepReport);
    }
}
