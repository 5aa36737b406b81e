// The findings report from synthetic results: paired differences, verdicts, the paper's numbers and one sentence each.
using Dash.Host.Output;
using static Dash.Host.Output.Findings;

namespace Dash.Host.Tests.Output;

public sealed class FindingsSpecs
{
    /// <summary>One run per seed: accuracies in percent (of 200 problems), completion length, seconds.</summary>
    private static IEnumerable<ArmRun> Seeds(string arm, double[] accuracy, double length = 20, double seconds = 10, int steps = 40) =>
        accuracy.Select((a, i) => new ArmRun(arm, i + 1, steps, seconds, (int)Math.Round(a * 2), 200, 30, 200, length + i * 0.1));

    private static List<ArmRun> Synthetic() =>
    [
        .. Seeds("dash", [30, 31, 32], length: 18),
        .. Seeds("sft", [20, 22, 21]),
        .. Seeds("grpo", [30.5, 30, 33], seconds: 40),
        .. Seeds("dash-kl", [27, 28, 29], length: 24),
        .. Seeds("ppo-multi", [29, 34, 31], seconds: 30),
        .. Seeds("ppo-mini", [33, 34, 35], seconds: 15),
        .. Seeds("ppo-multi-time", [24, 25, 26], steps: 13),
        .. Seeds("ppo-mini-time", [30, 32, 31], steps: 27),
    ];

    [Fact]
    public void Should_pair_runs_by_seed_and_judge_each_claim_by_where_its_95_percent_interval_lies()
    {
        var runs = Synthetic();
        Verdict JudgeOf(string title) => Judge(Claims.Single(c => c.Title == title), Differences(Claims.Single(c => c.Title == title), runs));

        Assert.Equal([10.0, 9.0, 11.0], Differences(Claims[0], runs));
        Assert.Equal(Verdict.Reproduces, JudgeOf("RL beats SFT from the same start"));
        Assert.Equal(Verdict.WithinNoise, JudgeOf("PPO multi-step (K = 3) raises accuracy, equal steps")); // -1, +3, -1
        Assert.Equal(Verdict.Opposite, JudgeOf("PPO multi-step (K = 3) raises accuracy, equal wall time"));
        Assert.Equal(Verdict.Reproduces, JudgeOf("PPO mini-batch raises accuracy, equal steps"));
        Assert.Equal(Verdict.Reproduces, JudgeOf("No KL gives higher accuracy"));
        Assert.Equal(Verdict.Reproduces, JudgeOf("No KL gives shorter completions")); // 18 vs 24 tokens
        Assert.Equal(Verdict.Consistent, JudgeOf("DASH matches GRPO's accuracy"));
    }

    [Fact]
    public void Should_write_the_runs_table_the_findings_table_with_the_papers_numbers_and_one_sentence_per_finding()
    {
        var report = Report(Synthetic(), "Setup line.");
        var lines = report.Split('\n');
        Assert.Equal("Setup line.", lines[0]);
        // DASH: 30, 31, 32 % -> 31.0 ± t(2) * 1 / sqrt(3) = 2.5; 15 % at the start, so +16.0 ± 2.5 points.
        Assert.Contains("| DASH (no KL) | 40 | 3 | 31.0 ± 2.5 % | +16.0 ± 2.5 | 18.1 ± 0.2 | 10.0 ± 0.0 |", lines);
        Assert.Contains(lines, l => l.StartsWith("| 1 | RL beats SFT from the same start (dash vs sft) | +10.0 ± 2.5 points | DASH 27.2 / 31.1; SFT on human traces 8.0 / 7.2 | reproduces |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| 7 | No KL gives shorter completions (dash vs dash-kl) | -6.0 ± 0.0 tokens |", StringComparison.Ordinal));
        var sentences = lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d+\. \*\*")).ToArray();
        Assert.Equal(Claims.Length, sentences.Length);
        Assert.Contains("At DASH's training time PPO ran 13 steps against DASH's 40.", sentences[2], StringComparison.Ordinal);
        Assert.Contains("within noise", sentences[1], StringComparison.Ordinal);
        Assert.Contains("DASH took 0.25× GRPO's training time", sentences[7], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_a_claim_as_not_tested_with_one_seed_or_a_missing_run()
    {
        var runs = Seeds("dash", [30]).Concat(Seeds("sft", [20])).ToList();
        var report = Report(runs, "");
        Assert.Contains("| 1 | RL beats SFT from the same start (dash vs sft) | +10.0 points (1 seed) |", report, StringComparison.Ordinal);
        Assert.Contains("| 8 | DASH matches GRPO's accuracy (dash vs grpo) | not run |", report, StringComparison.Ordinal);
        Assert.Equal(2 * Claims.Length, System.Text.RegularExpressions.Regex.Count(report, "not tested")); // table and sentence
    }

    [Fact]
    public void Should_format_a_mean_with_its_interval_or_say_it_has_one_seed() =>
        Assert.Equal(["31.0 ± 2.5 %", "+10.0 points (1 seed)", "–"],
            [Findings.Interval([30.0, 31, 32], " %"), Findings.Interval([10.0], " points", signed: true), Findings.Interval([], "")]);
}
