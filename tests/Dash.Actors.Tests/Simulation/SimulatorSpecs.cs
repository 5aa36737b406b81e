// Specifications of dash simulate's engine: the real coordinator under virtual time with simulated workers.
using Dash.Actors.Settings;
using Dash.Actors.Simulation;

namespace Dash.Actors.Tests.Simulation;

public sealed class SimulatorSpecs
{
    private static DashSettings Settings(string algorithm, params string[] sets) =>
        ConfigLoader.Load(sets: ["sampling.prompts-per-step=64", "sampling.batch-size=16", .. sets], algorithm: algorithm).Settings;

    [Fact]
    public void Should_give_the_same_result_bit_for_bit_on_every_run()
    {
        var a = Simulator.Run(Settings("dash"), 4, CostModel.Default, 5);
        var b = Simulator.Run(Settings("dash"), 4, CostModel.Default, 5);
        Assert.Empty(a.Problems);
        Assert.Equal(5, a.Steps);
        Assert.Equal(a.StepSeconds, b.StepSeconds);
        Assert.Equal(a with { StepSeconds = [], Problems = [] }, b with { StepSeconds = [], Problems = [] });
    }
}
