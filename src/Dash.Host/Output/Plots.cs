// PNG plots of a run with ScottPlot, drawn from its metrics.csv and eval.csv: held-out accuracy with 95 % bands (per
// level when eval.csv has them), reward, loss, grad-norm, KL, kept fraction, completion length and per-phase time.
using System.Text.RegularExpressions;
using Dash.Actors.Persistence;
using ScottPlot;

namespace Dash.Host.Output;

/// <summary>What the plots read of one run folder: its CSV files and whether it trained supervised (SFT).</summary>
internal sealed partial record RunData(string Id, string Algorithm, bool Sft, CsvTable Metrics, CsvTable Evals)
{
    public static RunData Read(RunFolder folder)
    {
        var (algorithm, sft) = ("", false);
        if (File.Exists(folder.Config))
        {
            var config = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(folder.Config));
            (algorithm, sft) = (config.GetString("dash.algorithm", ""), IsSft(config));
        }
        return new RunData(folder.Id, algorithm, sft, CsvTable.Read(folder.MetricsCsv), CsvTable.Read(folder.EvalCsv));
    }

    /// <summary>Whether a run's configuration (config.conf, or the journal's copy) trains supervised (dash.learning.mode = sft).</summary>
    public static bool IsSft(Akka.Configuration.Config config) => config.GetString("dash.learning.mode", "rl") == "sft";

    public double[] Steps => Metrics.Column("step") ?? [];

    /// <summary>Seconds of training at the end of each step.</summary>
    public double[] Wall => PlotKit.Cumulative(Metrics.Column("seconds") ?? []);

    /// <summary>Training seconds when the model of step <paramref name="step"/> existed (0 before the first step).</summary>
    public double WallAt(double step)
    {
        var wall = Wall;
        return step <= 0 || wall.Length == 0 ? 0 : wall[Math.Min(wall.Length, (int)step) - 1];
    }

    public double[] EvalSteps => Evals.Column("step") ?? [];

    /// <summary>
    /// Held-out accuracy series as (label, correct, problems) per evaluation: all problems, then one per level when
    /// eval.csv has <c>accuracy_L&lt;k&gt;</c> and <c>problems_L&lt;k&gt;</c>, then sampled pass@k when it has <c>pass_at_&lt;k&gt;</c>.
    /// </summary>
    public IReadOnlyList<AccuracySeries> Accuracy()
    {
        var problems = Evals.Column("problems");
        var correct = Evals.Column("correct");
        if (problems is null || correct is null) return [];
        var series = new List<AccuracySeries> { new("all levels", correct, problems, false) };
        foreach (var (name, k) in Evals.Names.Select(n => (n, LevelColumn().Match(n))).Where(x => x.Item2.Success)
                     .Select(x => (x.n, int.Parse(x.Item2.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))).OrderBy(x => x.Item2))
        {
            if (Evals.Column($"problems_L{k}") is not { } n) continue;
            var acc = Evals.Column(name)!;
            series.Add(new($"level {k}", [.. acc.Select((a, i) => a * n[i])], n, false));
        }
        foreach (var name in Evals.Names.Where(n => PassColumn().IsMatch(n)))
        {
            var pass = Evals.Column(name)!;
            series.Add(new($"pass@{name["pass_at_".Length..]} (sampled)", [.. pass.Select((a, i) => a * problems[i])], problems, true));
        }
        return series;
    }

    [GeneratedRegex(@"^accuracy_L(\d+)$")]
    private static partial Regex LevelColumn();

    [GeneratedRegex(@"^pass_at_\d+$")]
    private static partial Regex PassColumn();
}

/// <summary>One held-out accuracy curve: correct answers and problems per evaluation; <paramref name="Sampled"/> for pass@k.</summary>
internal sealed record AccuracySeries(string Label, double[] Correct, double[] Problems, bool Sampled)
{
    public double[] Rate => [.. Correct.Select((c, i) => Problems[i] > 0 ? c / Problems[i] : 0)];

    public double MaxHigh => Correct.Select((c, i) => Stats.Wilson((int)Math.Round(c), (int)Problems[i]).High).DefaultIfEmpty(0).Max();
}

internal static class Plots
{
    public const int Width = 900;
    public const int Height = 500;

    /// <summary>Writes every plot of the run in <paramref name="folder"/> (into <paramref name="outDir"/>, default its plots/); returns the paths.</summary>
    public static IReadOnlyList<string> Write(RunFolder folder, string? outDir = null)
    {
        var dir = outDir ?? folder.Plots;
        Directory.CreateDirectory(dir);
        var run = RunData.Read(folder);
        var m = run.Metrics;
        var step = run.Steps;
        var written = new List<string>();
        string P(string name) => Path.Combine(dir, name + ".png");
        var what = run.Sft ? "supervised steps" : "optimizer step";

        written.Add(PlotKit.Save(P("accuracy_vs_step"), Width, Height, "Held-out accuracy (greedy pass@1), 95 % Wilson bands", what, "accuracy",
            p => Accuracy(p, run, run.EvalSteps)));
        written.Add(PlotKit.Save(P("accuracy_vs_time"), Width, Height, "Held-out accuracy versus training time, 95 % Wilson bands", "training seconds",
            "accuracy", p => Accuracy(p, run, [.. run.EvalSteps.Select(run.WallAt)])));
        if (!run.Sft && m.Column("reward_mean") is { } reward)
        {
            written.Add(PlotKit.Save(P("reward_vs_step"), Width, Height, "Mean training reward per step", what, "reward",
                p => Rate(p, step, reward, "train reward")));
            written.Add(PlotKit.Save(P("reward_vs_time"), Width, Height, "Mean training reward versus training time", "training seconds", "reward",
                p => Rate(p, run.Wall, reward, "train reward")));
        }
        if (m.Column("loss") is { } loss)
            written.Add(PlotKit.Save(P("loss_vs_step"), Width, Height, run.Sft ? "Supervised loss (cross-entropy per token)" : "Policy loss per step",
                what, "loss", p => PlotKit.RawAndEma(p, step, loss, "loss", 3)));
        if (m.Column("grad_norm") is { } norm)
            written.Add(PlotKit.Save(P("grad_norm"), Width, Height, "Gradient norm before clipping", what, "global L2 norm", p =>
            {
                PlotKit.RawAndEma(p, step, norm, "grad-norm", 4);
                PlotKit.FromZero(p, norm.DefaultIfEmpty(0).Max());
            }));
        if (m.Column("kl") is { } kl && kl.Any(v => v != 0))
            written.Add(PlotKit.Save(P("kl"), Width, Height, "KL to the initial model (k3 estimator, per token)", what, "KL",
                p => PlotKit.RawAndEma(p, step, kl, "KL", 5)));
        if (!run.Sft && m.Column("kept") is { } kept && m.Column("dropped") is { } dropped)
        {
            double[] fraction = [.. kept.Select((k, i) => k + dropped[i] > 0 ? k / (k + dropped[i]) : 0)];
            written.Add(PlotKit.Save(P("kept_fraction"), Width, Height, "Gradient filtering: fraction of samples kept", what, "kept",
                p => Rate(p, step, fraction, "kept fraction")));
        }
        written.Add(PlotKit.Save(P("completion_length"), Width, Height, "Completion length (tokens)", what, "tokens", p => Lengths(p, run)));
        written.Add(PlotKit.Save(P("phase_times"), Width, Height, "Time per phase (stacked, per step)", what, "seconds", p => StackedPhases(p, run)));
        return written;
    }

    /// <summary>Every held-out series with its band; pass@k dashed.</summary>
    public static void Accuracy(Plot p, RunData run, double[] xs)
    {
        var series = run.Accuracy();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var color = s.Sampled ? Colors.Gray : PlotKit.ColorOf(i);
            PlotKit.AccuracyWithBand(p, xs, s.Correct, s.Problems, $"{s.Label} (n = {s.Problems.LastOrDefault():0})", color, band: !s.Sampled || series.Count == 1);
            if (s.Sampled) p.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Last().LinePattern = LinePattern.Dashed;
        }
        PlotKit.RateAxis(p, series.Select(s => s.MaxHigh).DefaultIfEmpty(0).Max());
    }

    private static void Rate(Plot p, double[] xs, double[] ys, string label)
    {
        PlotKit.RawAndEma(p, xs, ys, label, 0);
        PlotKit.RateAxis(p, ys.DefaultIfEmpty(0).Max());
    }

    private static void Lengths(Plot p, RunData run)
    {
        var max = 0.0;
        if (!run.Sft && run.Metrics.Column("mean_completion_length") is { } sampled)
        {
            PlotKit.RawAndEma(p, run.Steps, sampled, "sampled completions", 2);
            max = sampled.DefaultIfEmpty(0).Max();
        }
        if (run.Evals.Column("mean_completion_length") is { } held && held.Length > 0)
        {
            var line = p.Add.Scatter(run.EvalSteps, held, PlotKit.ColorOf(0));
            line.LineWidth = 2;
            line.MarkerSize = 6;
            line.LegendText = "held-out (greedy)";
            max = Math.Max(max, held.Max());
        }
        PlotKit.FromZero(p, max);
    }

    private static void StackedPhases(Plot p, RunData run)
    {
        // reward_s and advantage_s are the verifiers' and filter's busy time beside sampling, not part of the step's wall
        // time: stacked on the rest they would make a step look longer than it was.
        string[] besideSampling = ["reward_s", "advantage_s"];
        var phases = run.Metrics.Names.Where(n => n.EndsWith("_s", StringComparison.Ordinal) && !besideSampling.Contains(n))
            .Where(n => run.Metrics.Column(n)!.Any(v => v > 0)).ToArray();
        var bars = new List<Bar>();
        var top = 0.0;
        for (var r = 0; r < run.Metrics.Rows; r++)
        {
            var bottom = 0.0;
            for (var i = 0; i < phases.Length; i++)
            {
                var v = run.Metrics.Column(phases[i])![r];
                bars.Add(new Bar { Position = run.Steps[r], ValueBase = bottom, Value = bottom + v, FillColor = PlotKit.ColorOf(i), LineWidth = 0 });
                bottom += v;
            }
            top = Math.Max(top, bottom);
        }
        p.Add.Bars(bars);
        for (var i = 0; i < phases.Length; i++)
            p.Legend.ManualItems.Add(new LegendItem { LabelText = phases[i][..^2].Replace('_', '-'), FillColor = PlotKit.ColorOf(i) });
        PlotKit.FromZero(p, top);
    }
}
