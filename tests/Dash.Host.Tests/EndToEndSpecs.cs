// End to end on the built-in task: after the shared SFT warm-up, DASH improves the policy and GRPO lands nearby.
using System.Globalization;

namespace Dash.Host.Tests;

[Trait("Category", "EndToEnd")]
public sealed class EndToEndSpecs : IDisposable
{
    private readonly string _runs = Directory.CreateTempSubdirectory("dash-e2e-").FullName;

    public void Dispose() => Directory.Delete(_runs, recursive: true);

    /// <summary>Held-out accuracy (greedy pass@1) per evaluation of a run, from its eval.csv.</summary>
    private double[] Accuracies(string runId) => [.. File.ReadAllLines(Path.Combine(_runs, runId, "eval.csv")).Skip(1)
        .Select(l => double.Parse(l.Split(',')[4], CultureInfo.InvariantCulture))];

    /// <summary>Mean training reward (on-policy samples) over the run's last <paramref name="steps"/> steps, from metrics.csv.</summary>
    private double LateReward(string runId, int steps)
    {
        var lines = File.ReadAllLines(Path.Combine(_runs, runId, "metrics.csv"));
        var column = Array.IndexOf(lines[0].Split(','), "reward_mean");
        return lines.Skip(1).TakeLast(steps).Average(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Should_improve_the_policy_with_dash_and_reach_the_same_band_with_grpo()
    {
        // The default warm-up (400 SFT steps) then 60 RL steps; 200 held-out problems evaluated before and after.
        string[] common = ["--runs-dir", _runs, "--steps", "60", "--set", "run.eval-every=0", "--set", "run.eval-problems=200"];
        var dash = CliHarness.Run(["train", "--run-id", "e2e-dash", .. common]);
        Assert.True(dash.ExitCode == 0, dash.Err);
        var grpo = CliHarness.Run(["train", "--algorithm", "grpo", "--run-id", "e2e-grpo", .. common]);
        Assert.True(grpo.ExitCode == 0, grpo.Err);
        // The control: the same run with the policy frozen (learning rate 0) sees the same prompts and seeds.
        var frozen = CliHarness.Run(["train", "--run-id", "e2e-frozen", "--set", "learning.learning-rate=0", .. common]);
        Assert.True(frozen.ExitCode == 0, frozen.Err);

        var d = Accuracies("e2e-dash");
        var g = Accuracies("e2e-grpo");
        Assert.Equal(d[0], g[0]); // both start from the same shared warm-up checkpoint
        Assert.Single(Directory.GetDirectories(_runs, "warmup-*"));

        // RL improves the policy: over the last 20 steps (2,560 samples) DASH earns more reward than the frozen policy
        // on the same prompts. Measured on a 2-core AMD EPYC: 0.414 vs 0.370 (GRPO 0.486). With learning switched off
        // the two are equal, so this fails when RL stops improving the policy.
        var gain = LateReward("e2e-dash", 20) - LateReward("e2e-frozen", 20);
        Assert.True(gain >= 0.02, $"dash earns {gain:F3} more reward than the frozen policy over its last 20 steps (at least 0.02 expected)");

        // Held-out accuracy on 200 problems moves within noise in 60 steps, and differs between CPU kinds (seen on one
        // AMD EPYC: 22.5 % after the warm-up, 20.5 % after DASH, 25.5 % after GRPO; 13.5 % → 20 % on another): RL
        // must not wreck it, and GRPO must land near DASH.
        Assert.True(d[^1] >= d[0] - 0.05, $"dash: {d[0]:P1} -> {d[^1]:P1}");
        Assert.True(Math.Abs(g[^1] - d[^1]) <= 0.08, $"grpo {g[^1]:P1} vs dash {d[^1]:P1}");
    }
}
