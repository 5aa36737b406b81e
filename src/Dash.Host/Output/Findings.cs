// The paper's findings mirrored on the built-in task: which runs `dash bench findings` makes, and the markdown report
// (per-run means with 95 % t-intervals over seeds, paired differences, the paper's numbers, one verdict sentence each).
using System.Globalization;
using System.Text;

namespace Dash.Host.Output;

internal static class Findings
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One kind of run: a preset, at the shared step count or at DASH's wall time (<paramref name="EqualTime"/>).</summary>
    public sealed record Arm(string Key, string Preset, string Label, bool EqualTime = false);

    /// <summary>What one finished run measured (accuracy from the last held-out evaluation; Start from the first).</summary>
    public sealed record ArmRun(string Arm, int Seed, int Steps, double TrainSeconds, int Correct, int Problems, int StartCorrect, int StartProblems,
        double CompletionLength)
    {
        public double Accuracy => Problems == 0 ? 0 : (double)Correct / Problems;
        public double StartAccuracy => StartProblems == 0 ? 0 : (double)StartCorrect / StartProblems;
    }

    public enum Measure { Accuracy, CompletionLength }

    /// <summary>What the paper found for A against B: A higher, A lower, or no difference.</summary>
    public enum Expect { Higher, Lower, Same }

    public enum Verdict { Reproduces, Opposite, WithinNoise, Consistent, Differs, NotRun }

    /// <summary>One of the paper's claims as a paired comparison of arm A with arm B, and the paper's own numbers.</summary>
    public sealed record Claim(string Title, string A, string B, Measure Measure, Expect Expect, string Paper);

    /// <summary>The runs, in the order they are made for each seed (equal-time arms last: they need the others' times).</summary>
    public static readonly Arm[] Arms =
    [
        new("dash", "dash", "DASH (no KL)"),
        new("sft", "sft", "SFT on human-style references"),
        new("grpo", "grpo", "GRPO"),
        new("dash-kl", "dash-kl", "DASH with KL (β = 0.04)"),
        new("ppo-multi", "ppo-multi", "PPO multi-step (K = 3), equal steps"),
        new("ppo-mini", "ppo-mini", "PPO mini-batch (4 per batch), equal steps"),
        new("ppo-multi-time", "ppo-multi", "PPO multi-step (K = 3), equal wall time", EqualTime: true),
        new("ppo-mini-time", "ppo-mini", "PPO mini-batch (4 per batch), equal wall time", EqualTime: true),
    ];

    private const string PaperDash = "DASH 27.2 / 31.1";

    public static readonly Claim[] Claims =
    [
        new("RL beats SFT from the same start", "dash", "sft", Measure.Accuracy, Expect.Higher, $"{PaperDash}; SFT on human traces 8.0 / 7.2"),
        new("PPO multi-step (K = 3) raises accuracy, equal steps", "ppo-multi", "dash", Measure.Accuracy, Expect.Higher,
            $"PPO K = 3 28.8 / 31.5; {PaperDash} (at DASH's wall time)"),
        new("PPO multi-step (K = 3) raises accuracy, equal wall time", "ppo-multi-time", "dash", Measure.Accuracy, Expect.Higher,
            $"PPO K = 3 28.8 / 31.5; {PaperDash}"),
        new("PPO mini-batch raises accuracy, equal steps", "ppo-mini", "dash", Measure.Accuracy, Expect.Higher,
            $"32 mini-batches 29.8 / 31.6 (1.5B: unstable, 36.0 / 8.1); {PaperDash} (at DASH's wall time)"),
        new("PPO mini-batch raises accuracy, equal wall time", "ppo-mini-time", "dash", Measure.Accuracy, Expect.Higher,
            $"32 mini-batches 29.8 / 31.6; {PaperDash}"),
        new("No KL gives higher accuracy", "dash", "dash-kl", Measure.Accuracy, Expect.Higher, "no KL 31.4 / 34.0; KL 27.2 / 31.1"),
        new("No KL gives shorter completions", "dash", "dash-kl", Measure.CompletionLength, Expect.Lower, "shorter without KL (no lengths in the paper's table)"),
        new("DASH matches GRPO's accuracy", "dash", "grpo", Measure.Accuracy, Expect.Same, "DASH 27.2 / 31.1; GRPO 27.6 / 32.8"),
    ];

    public static Arm ArmOf(string key) => Arms.First(a => a.Key == key);

    /// <summary>The paired (same seed) differences A − B of a claim's measure: accuracy in points, length in tokens.</summary>
    public static double[] Differences(Claim claim, IReadOnlyList<ArmRun> runs)
    {
        double Value(ArmRun r) => claim.Measure == Measure.Accuracy ? r.Accuracy * 100 : r.CompletionLength;
        return [.. runs.Where(r => r.Arm == claim.A)
            .Join(runs.Where(r => r.Arm == claim.B), a => a.Seed, b => b.Seed, (a, b) => Value(a) - Value(b))];
    }

    /// <summary>The verdict of a claim from its paired differences: does the 95 % t-interval lie where the paper found?</summary>
    public static Verdict Judge(Claim claim, IReadOnlyCollection<double> differences)
    {
        if (differences.Count < 2) return Verdict.NotRun;
        var (mean, half) = Stats.MeanInterval(differences);
        var (low, high) = (mean - half, mean + half);
        return claim.Expect switch
        {
            Expect.Same => low <= 0 && high >= 0 ? Verdict.Consistent : Verdict.Differs,
            Expect.Higher => low > 0 ? Verdict.Reproduces : high < 0 ? Verdict.Opposite : Verdict.WithinNoise,
            _ => high < 0 ? Verdict.Reproduces : low > 0 ? Verdict.Opposite : Verdict.WithinNoise,
        };
    }

    /// <summary>The whole markdown report: setup line, per-run table, findings table and one sentence per finding.</summary>
    public static string Report(IReadOnlyList<ArmRun> runs, string setup)
    {
        var sb = new StringBuilder();
        sb.AppendLine(setup);
        sb.AppendLine();
        sb.AppendLine("| run | steps | seeds | held-out accuracy (mean ± 95 % CI) | change from the warm-up (points) | completion length (tokens) | training s |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var arm in Arms)
        {
            var rs = runs.Where(r => r.Arm == arm.Key).ToArray();
            if (rs.Length == 0) continue;
            var steps = rs.Select(r => r.Steps).Distinct().Order().ToArray();
            sb.AppendLine(Inv, $"| {arm.Label} | {string.Join(", ", steps)} | {rs.Length} | {Interval([.. rs.Select(r => r.Accuracy * 100)], " %")} | " +
                               $"{Interval([.. rs.Select(r => (r.Accuracy - r.StartAccuracy) * 100)], "", signed: true)} | " +
                               $"{Interval([.. rs.Select(r => r.CompletionLength)], "")} | {Interval([.. rs.Select(r => r.TrainSeconds)], "")} |");
        }
        sb.AppendLine();
        sb.AppendLine("| # | finding (A vs B) | A − B, paired by seed (mean ± 95 % CI) | paper (Qwen2.5-0.5B, MATH-500 / GSM8K %) | here |");
        sb.AppendLine("|---|---|---|---|---|");
        var sentences = new StringBuilder();
        for (var i = 0; i < Claims.Length; i++)
        {
            var claim = Claims[i];
            var diffs = Differences(claim, runs);
            var verdict = Judge(claim, diffs);
            var unit = claim.Measure == Measure.Accuracy ? " points" : " tokens";
            var diff = diffs.Length == 0 ? "not run" : Interval(diffs, unit, signed: true);
            sb.AppendLine(Inv, $"| {i + 1} | {claim.Title} ({claim.A} vs {claim.B}) | {diff} | {claim.Paper} | {Word(verdict)} |");
            sentences.AppendLine(Inv, $"{i + 1}. **{claim.Title}**: {Word(verdict)}. {Why(claim, verdict, runs, diffs)}");
        }
        sb.AppendLine();
        sb.Append(sentences);
        return sb.ToString();
    }

    public static string Word(Verdict v) => v switch
    {
        Verdict.Reproduces => "reproduces",
        Verdict.Opposite => "does not reproduce (the opposite, beyond noise)",
        Verdict.WithinNoise => "not shown (within noise)",
        Verdict.Consistent => "reproduces (no difference beyond noise)",
        Verdict.Differs => "does not reproduce (they differ beyond noise)",
        _ => "not tested (needs 2 or more seeds of both runs)",
    };

    /// <summary>"12.5 ± 3.1 %" (mean ± half-width of the 95 % t-interval), or "12.5 % (1 seed)".</summary>
    public static string Interval(IReadOnlyCollection<double> xs, string unit, bool signed = false)
    {
        if (xs.Count == 0) return "–";
        var (mean, half) = Stats.MeanInterval(xs);
        var format = signed ? "+0.0;-0.0;0.0" : "0.0";
        var m = mean.ToString(format, Inv);
        return double.IsNaN(half) ? $"{m}{unit} (1 seed)" : $"{m} ± {half.ToString("0.0", Inv)}{unit}";
    }

    /// <summary>Why the finding came out as it did here, from the runs' own numbers.</summary>
    private static string Why(Claim claim, Verdict verdict, IReadOnlyList<ArmRun> runs, double[] diffs)
    {
        double Mean(string arm, Func<ArmRun, double> f) => runs.Where(r => r.Arm == arm).Select(f).DefaultIfEmpty(double.NaN).Average();
        string Pts(double x) => x.ToString("+0.0;-0.0;0.0", Inv);
        string F(double x) => x.ToString("0.0", Inv);
        var half = diffs.Length >= 2 ? Stats.MeanInterval(diffs).HalfWidth : double.NaN;
        if (verdict == Verdict.NotRun) return "Run it with --seeds 2 or more (3 by default) so the difference has an interval.";
        if (verdict == Verdict.WithinNoise)
        {
            // No mechanism is claimed for a difference the seeds cannot tell from zero.
            return diffs.All(d => d == 0)
                ? "Both runs gave the same result in every seed: at this size (steps, held-out problems) they do not separate."
                : $"The difference is within the seed-to-seed spread (±{F(half)}{(claim.Measure == Measure.Accuracy ? " points" : " tokens")} over " +
                  $"{diffs.Length} seeds); more seeds or held-out problems would settle it.";
        }
        var timeRatio = Mean(claim.A, r => r.TrainSeconds) / Mean(claim.B, r => r.TrainSeconds);
        var arm = ArmOf(claim.A);
        return (claim.A, claim.B, claim.Measure) switch
        {
            ("dash", "sft", _) => $"From the same warm-up, DASH moved held-out accuracy {Pts(Mean("dash", Gain))} points and SFT on the human-style references " +
                                  $"{Pts(Mean("sft", Gain))}. " + (verdict == Verdict.Reproduces
                                      ? "As in the paper, imitating solutions written in another style than the model's own pulls it away from what it already does right, while RL reinforces its own correct solutions."
                                      : "Here the human-style references still teach the task's own arithmetic, so imitating them helps as much as RL; the paper's human traces were off the pretrained model's distribution."),
            (_, "dash", _) when arm.EqualTime => $"At DASH's training time PPO ran {string.Join("/", runs.Where(r => r.Arm == claim.A).Select(r => r.Steps).Distinct())} steps " +
                                  $"against DASH's {string.Join("/", runs.Where(r => r.Arm == "dash").Select(r => r.Steps).Distinct())}. " + (verdict == Verdict.Reproduces
                                      ? "Its extra passes over each batch pay for their time, as in the paper."
                                      : "Its extra passes over each batch cost more time than they return, so DASH's fresh samples do at least as well."),
            (_, "dash", _) => $"PPO re-uses each sampled batch for more optimizer updates, at {F(timeRatio)}× DASH's training time. " + (verdict == Verdict.Reproduces
                                  ? "More updates per sample raise accuracy at equal steps, as in the paper (whose comparison was at equal wall time)."
                                  : "More updates per sample did not raise accuracy at equal steps here."),
            ("dash", "dash-kl", Measure.Accuracy) => $"The KL penalty (β = 0.04) pulls the policy back towards the warm-up model. " + (verdict == Verdict.Reproduces
                                  ? "Without it RL moves further from the warm-up and gains more, as in the paper."
                                  : "On this task the pull is weak against the reward's, so accuracy does not depend on it beyond noise."),
            ("dash", "dash-kl", _) => $"Held-out completions averaged {F(Mean("dash", r => r.CompletionLength))} tokens without KL and {F(Mean("dash-kl", r => r.CompletionLength))} with it. " +
                                      (verdict == Verdict.Reproduces
                                          ? "Without the pull towards the warm-up model RL drops words the reward does not pay for, as in the paper."
                                          : "The task's answers have one fixed format, so lengths can only differ by the solution style the policy settles on."),
            _ => $"GRPO and DASH take the same on-policy gradient; DASH samples the whole batch at once and drops zero-advantage groups before any gradient work, " +
                 $"so only the sampling order and the filter differ. DASH took {timeRatio.ToString("0.00", Inv)}× GRPO's training time." +
                 (verdict == Verdict.Differs ? " The accuracies differ beyond the seed-to-seed spread, which the paper did not see." : ""),
        };
    }

    private static double Gain(ArmRun r) => (r.Accuracy - r.StartAccuracy) * 100;
}
