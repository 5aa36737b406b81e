// Long runs under virtual time through the kit: many steps in seconds, the same numbers every time.
namespace Dash.TestKit.Tests;

public sealed class SimulateSpecs
{
    [Fact]
    public void Should_simulate_a_hundred_steps_on_sixteen_samplers_deterministically()
    {
        var settings = DashHarness.Settings("sampling.prompts-per-step=64", "sampling.batch-size=4").Settings;

        var a = DashHarness.Simulate(settings, samplers: 16, steps: 100);
        var b = DashHarness.Simulate(settings, samplers: 16, steps: 100);

        Assert.Equal(100, a.Steps);
        Assert.Equal(a.StepSeconds, b.StepSeconds);
        Assert.InRange(a.SamplerUtilisation, 0.01, 1.0);
    }
}
