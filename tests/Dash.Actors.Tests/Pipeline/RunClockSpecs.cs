// The coordinator's clocks: run totals per phase, and with a policy lag a committed step's share of wall time.
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Actors.Tests.Pipeline;

public sealed class RunClockSpecs
{
    private static StepReport Report(long step, Dictionary<string, double> phases) =>
        new(step, step + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, phases);

    [Fact]
    public void Should_add_committed_steps_and_evaluations_to_the_run_totals()
    {
        var clock = new RunClock();

        clock.Committed(Report(0, new() { [Phases.Sample] = 2, [Phases.Learn] = 1 }));
        clock.Committed(Report(1, new() { [Phases.Sample] = 3 }));
        clock.Evaluated(0.5);

        Assert.Equal(5, clock.Totals[Phases.Sample]);
        Assert.Equal(1, clock.Totals[Phases.Learn]);
        Assert.Equal(0.5, clock.Totals[Phases.Eval]);
    }

    [Fact]
    public void Should_give_a_lagged_step_the_wall_time_since_the_last_commit_without_the_evaluations()
    {
        var clock = new RunClock();
        clock.LaggedStepStarts();
        Thread.Sleep(150);
        clock.Evaluated(0.1); // As if 0.1 s of those were an evaluation.

        var first = clock.LaggedWallSeconds();
        clock.LaggedStepStarts(); // Only the first start counts.
        var second = clock.LaggedWallSeconds();

        Assert.InRange(first, 0.04, 5);
        Assert.True(first < clock.Elapsed - 0.1 + 1e-9, $"{first} s includes the evaluation");
        Assert.InRange(second, 0, first);
    }
}
