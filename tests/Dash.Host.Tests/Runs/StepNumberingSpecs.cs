// One step numbering everywhere: after N optimizer steps the checkpoint is step-N and every report says N.
namespace Dash.Host.Tests.Runs;

public sealed class StepNumberingSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void Should_name_the_checkpoint_after_n_steps_step_n_and_report_the_same_n()
    {
        var r = _runs.Train("numbered", 3);

        Assert.True(r.ExitCode == 0, r.Err);
        var names = _runs.Checkpoints("numbered").Select(Path.GetFileName).ToArray();
        Assert.Contains("step-000003", names);
        Assert.DoesNotContain("step-000000", names);
        Assert.Equal(["1", "2", "3"], TinyRuns.Steps(Path.Combine(_runs.Run("numbered"), "metrics.csv")));
        Assert.Contains("eval after step 3", r.Out, StringComparison.Ordinal);
        var show = _runs.Runs("show", "numbered").Out.Split('\n');
        Assert.Contains(show, l => l.TrimStart().StartsWith("3 ", StringComparison.Ordinal) && l.Contains("step-000003", StringComparison.Ordinal));
    }
}
