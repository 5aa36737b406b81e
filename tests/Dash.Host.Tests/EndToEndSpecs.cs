// End to end on the built-in task: after the shared SFT warm-up, DASH raises held-out accuracy, per level.
using System.Globalization;

namespace Dash.Host.Tests;

[Trait("Category", "EndToEnd")]
public sealed class EndToEndSpecs : IDisposable
{
    private readonly string _runs = Directory.CreateTempSubdirectory("dash-e2e-").FullName;

    public void Dispose() => Directory.Delete(_runs, recursive: true);

    /// <summary>One column of a run's eval.csv (one value per evaluation, in step order).</summary>
    private double[] EvalColumn(string runId, string column)
    {
        var lines = File.ReadAllLines(Path.Combine(_runs, runId, "eval.csv"));
        var index = Array.IndexOf(lines[0].Split(','), column);
        Assert.True(index >= 0, $"eval.csv of {runId} has no column {column}: {lines[0]}");
        return [.. lines.Skip(1).Select(l => double.Parse(l.Split(',')[index], CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void Should_raise_held_out_accuracy_with_dash_from_the_shared_warm_up()
    {
        // The default run: the warm-up (400 SFT steps) then 60 DASH steps at lr 2.1e-4; the default 600 held-out
        // problems (300 per level) evaluated before and after.
        var dash = CliHarness.Run(["train", "--run-id", "e2e-dash", "--runs-dir", _runs, "--set", "run.eval-every=0"]);
        Assert.True(dash.ExitCode == 0, dash.Err);

        var d = EvalColumn("e2e-dash", "accuracy");
        var warmup = Assert.Single(Directory.GetDirectories(_runs, "warmup-*"));
        var w = EvalColumn(Path.GetFileName(warmup), "accuracy");
        Assert.Equal(w[^1], d[0]); // RL starts from the warm-up's last checkpoint
        Assert.Equal([300, 300], [EvalColumn("e2e-dash", "problems_L2")[0], EvalColumn("e2e-dash", "problems_L3")[0]]);

        // The step-0 evaluation is the frozen policy's accuracy: with learning off the gain is exactly 0, so this
        // fails when RL stops improving the policy. 20 points on 600 problems is about 8 standard errors of the
        // difference: issue 17's bar for the default run. Measured on one 2-core AMD EPYC: 13.5 % -> 59.0 % (+45.5);
        // lr 1.5e-4 and 3e-4 give other climbs there (bench/TESTBED.md). Other CPU kinds round floats differently.
        Assert.True(d[^1] - d[0] >= 0.20, $"dash: {d[0]:P1} -> {d[^1]:P1} (at least +20 points expected)");
        foreach (var level in new[] { "accuracy_L2", "accuracy_L3" })
        {
            var l = EvalColumn("e2e-dash", level);
            Assert.True(l[^1] > l[0], $"dash {level}: {l[0]:P1} -> {l[^1]:P1}");
        }
    }
}
