// dash simulate from the command line: the table, the CSV, the help and the errors a user can make.
using System.Globalization;

namespace Dash.Host.Tests;

public sealed class SimulateCliSpecs
{
    [Fact]
    public void Should_print_a_table_row_per_algorithm_and_sampler_count_and_write_a_parseable_csv()
    {
        var csv = Path.Combine(Directory.CreateTempSubdirectory("dash-sim-").FullName, "out", "sim.csv");
        var r = CliHarness.Run("simulate", "--samplers", "1,4", "--steps", "3", "--algorithms", "dash,grpo",
            "--set", "sampling.prompts-per-step=16", "--set", "sampling.batch-size=4", "--cost", "network.shared-uplink=off", "--csv", csv);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("| algorithm | samplers | step s |", r.Out, StringComparison.Ordinal);
        Assert.Contains("| dash | 4 |", r.Out, StringComparison.Ordinal);
        Assert.Contains("| grpo | 1 |", r.Out, StringComparison.Ordinal);
        Assert.Contains(csv, r.Out, StringComparison.Ordinal);

        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        Assert.Equal(5, lines.Length);
        Assert.Equal(["algorithm", "samplers", "steps", "step_seconds"], header[..4]);
        var rows = lines[1..].Select(l => l.Split(',')).ToArray();
        Assert.All(rows, row =>
        {
            Assert.Equal(header.Length, row.Length);
            foreach (var cell in row[1..]) Assert.True(double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _), cell);
        });
        Assert.Equal(["dash", "dash", "grpo", "grpo"], rows.Select(row => row[0]));
        double Step(string[] row) => double.Parse(row[3], CultureInfo.InvariantCulture);
        Assert.True(Step(rows[1]) < Step(rows[0]), "four samplers are faster than one");
        Assert.True(Step(rows[0]) < Step(rows[2]), "dash is faster than grpo");
    }

    [Theory]
    [InlineData(new[] { "--set", "run.steps=4" }, 4)]
    [InlineData(new[] { "--set", "run.steps=4", "--steps", "2" }, 2)]
    [InlineData(new string[0], 10)]
    public void Should_simulate_the_steps_a_set_run_steps_gives_unless_steps_says(string[] args, int simulated)
    {
        var csv = Path.Combine(Directory.CreateTempSubdirectory("dash-sim-").FullName, "sim.csv");

        var r = CliHarness.Run(["simulate", "--samplers", "1", "--algorithms", "dash", "--csv", csv, .. args]);

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains($"Simulated {simulated} optimizer steps per row", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_explain_itself_with_examples()
    {
        var r = CliHarness.Run("simulate", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Example", r.Out, StringComparison.Ordinal);
        Assert.Contains("--samplers", r.Out, StringComparison.Ordinal);
        Assert.Contains("--cost", r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--samplers", "0")]
    [InlineData("--samplers", "1001")]
    [InlineData("--samplers", "8,x")]
    [InlineData("--steps", "0")]
    [InlineData("--cost", "learner.nope=1")]
    [InlineData("--set", "sampling.nope=1")]
    [InlineData("--algorithms", "nope")]
    public void Should_name_the_option_or_key_of_a_bad_value(string option, string value)
    {
        var r = CliHarness.Run("simulate", option, value, "--csv", Path.Combine(Path.GetTempPath(), "never.csv"));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("dash: ", r.Err, StringComparison.Ordinal);
        var named = option switch
        {
            "--cost" => "learner.nope",
            "--set" => "sampling.nope",
            "--algorithms" => "nope",
            _ => option,
        };
        Assert.Contains(named, r.Err, StringComparison.Ordinal);
    }
}
