// One evaluator: `dash eval` of a finished run's final checkpoint, with the run's settings, reproduces its own number.
using System.Globalization;
using System.Text.Json;

namespace Dash.Host.Tests;

[Trait("Category", "EndToEnd")]
public sealed class EvalReproductionSpecs : IDisposable
{
    private readonly string _runs = Directory.CreateTempSubdirectory("dash-evalrepro-").FullName;

    public void Dispose() => Directory.Delete(_runs, recursive: true);

    [Fact]
    public void Should_reproduce_the_runs_final_held_out_accuracy_from_its_final_checkpoint()
    {
        // A warm-up long enough for the built-in model to answer some one-digit sums, then two RL steps.
        var train = CliHarness.Run(
            "train", "--runs-dir", _runs, "--run-id", "repro", "--steps", "2", "--set", "model.warmup-steps=60", "--set", "model.warmup-batch=16",
            "--set", "model.warmup-learning-rate=4e-3", "--set", "task.levels=[1]", "--set", "sampling.prompts-per-step=4",
            "--set", "sampling.batch-size=16", "--set", "run.eval-problems=16", "--set", "run.eval-every=0", "--set", "sampling.max-new-tokens=24");
        Assert.True(train.ExitCode == 0, train.Err);
        var run = Path.Combine(_runs, "repro");
        var last = File.ReadAllLines(Path.Combine(run, "eval.csv")).Last().Split(',');
        var (problems, correct) = (int.Parse(last[2], CultureInfo.InvariantCulture), int.Parse(last[3], CultureInfo.InvariantCulture));
        var final = Directory.GetDirectories(Path.Combine(run, "checkpoints"), "step-*").Order(StringComparer.Ordinal).Last();

        var eval = CliHarness.Run("eval", "--model", final, "--config", Path.Combine(run, "config.conf"), "--json");

        Assert.True(eval.ExitCode == 0, eval.Err);
        using var json = JsonDocument.Parse(eval.Out);
        Assert.True(correct > 0, "the run must answer some problems for the comparison to mean anything");
        Assert.Equal(problems, json.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(correct, json.RootElement.GetProperty("greedy_correct").GetInt32());
    }
}
