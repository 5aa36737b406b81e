// dash bench findings in miniature (real runs through the CLI, seconds), and dash bench plot on one of its run folders.
namespace Dash.Host.Tests.Output;

public sealed class FindingsCliSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-findings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Tiny =
    [
        "--warmup-steps", "2", "--eval-problems", "8", "--set", "model.warmup-batch=8", "--set", "sampling.prompts-per-step=4",
        "--set", "sampling.batch-size=16", "--set", "sampling.max-new-tokens=16", "--set", "learning.micro-batch-size=4",
    ];

    [Fact]
    public void Should_run_the_findings_in_miniature_and_write_the_table_the_sentences_and_the_png()
    {
        var output = Path.Combine(_dir, "out");
        var runs = Path.Combine(_dir, "runs");
        var r = CliHarness.Run(["bench", "findings", "--seeds", "2", "--steps", "2", "--only", "dash,ppo-multi,ppo-multi-time", "-o", output, "--runs-dir", runs, .. Tiny]);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);

        var table = File.ReadAllLines(Path.Combine(output, "findings.md"));
        Assert.Contains(table, l => l.StartsWith("| DASH (no KL) | 2 | 2 | ", StringComparison.Ordinal) && l.Contains(" ± ", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("| PPO multi-step (K = 3), equal wall time | ", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("| 3 | PPO multi-step (K = 3) raises accuracy, equal wall time (ppo-multi-time vs dash) | ", StringComparison.Ordinal)
                                    && !l.Contains("not run", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("| 1 | RL beats SFT from the same start (dash vs sft) | not run |", StringComparison.Ordinal));
        Assert.Equal(8, table.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d+\. \*\*")));
        Assert.True(new FileInfo(Path.Combine(output, "findings.png")).Length > 20_000, "findings.png was not drawn");

        // Each seed has its own warm-up, shared by that seed's runs; a run folder's plots can be drawn again.
        var session = Assert.Single(Directory.GetDirectories(runs));
        Assert.Equal(2, Directory.GetDirectories(session, "warmup-*").Length);
        var plots = Path.Combine(_dir, "plots");
        var plot = CliHarness.Run("bench", "plot", Path.Combine(session, "dash-s1"), "-o", plots);
        Assert.True(plot.ExitCode == 0, plot.Err);
        Assert.True(new FileInfo(Path.Combine(plots, "dash-s1", "report.png")).Length > 30_000);
        Assert.True(File.Exists(Path.Combine(plots, "dash-s1", "kept_fraction.png")));
    }

    [Fact]
    public void Should_name_the_unknown_run_of_only_in_one_line()
    {
        var r = CliHarness.Run("bench", "findings", "--only", "dash,ppo", "-o", _dir, "--runs-dir", _dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--only ppo: no such run; choose from dash, sft,", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
    }
}
