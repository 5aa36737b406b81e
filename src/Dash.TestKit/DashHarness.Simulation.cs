// Long runs under virtual time: the real coordinator with simulated workers, as `dash simulate` runs it.
using Dash.Actors.Settings;
using Dash.Actors.Simulation;

namespace Dash.TestKit;

public sealed partial class DashHarness
{
    /// <summary>
    /// Simulates <paramref name="steps"/> optimizer steps with <paramref name="samplers"/> samplers under virtual time
    /// (<see cref="Simulator"/>): the real coordinator and journal protocol, but simulated samplers, learner and
    /// verifiers whose work takes the time <paramref name="cost"/> (default: the built-in cost model) says, on synthetic
    /// data, so thousands of steps or samplers take seconds and the result is the same on every machine. It checks a
    /// configuration and a cluster layout (step time, utilisation, where a step's time goes); it does not run your
    /// engines, task or reward (use <see cref="Run"/> for those), nor the faults. Throws when the run reports a problem.
    /// </summary>
    public static SimulationResult Simulate(DashSettings settings, int samplers, int steps, CostModel? cost = null)
    {
        var result = Simulator.Run(settings, samplers, cost ?? CostModel.Default, steps);
        if (result.Problems.Count > 0) throw new JournalAssertionException($"the simulation reported problems: {string.Join(" ", result.Problems)}");
        return result;
    }
}
