// report.png: the run's story at a glance. Held-out accuracy before training, after the warm-up and after RL (with
// 95 % Wilson intervals and the gain in standard errors), the accuracy curve across warm-up and RL, the warm-up's loss,
// the RL reward and the completion length.
using System.Globalization;
using Akka.Configuration;
using Dash.Actors.Persistence;
using Dash.Actors.Settings;
using Dash.Host.Training;
using ScottPlot;

namespace Dash.Host.Output;

internal static class ReportPlot
{
    public const int Width = 1500;
    public const int Height = 900;

    /// <summary>One stage of the story: its name and the evaluation that closes it.</summary>
    public sealed record Stage(string Name, int Correct, int Problems)
    {
        public double Accuracy => Problems == 0 ? 0 : (double)Correct / Problems;
    }

    /// <summary>The warm-up run that <paramref name="folder"/>'s run started from, when it is next to it.</summary>
    public static RunFolder? WarmupOf(RunFolder folder)
    {
        if (!File.Exists(folder.Config)) return null;
        string? id;
        try
        {
            id = TrainingSession.WarmupIdOf(File.ReadAllText(folder.Config));
        }
        catch (Exception e) when (e is SettingsException or ConfigurationException)
        {
            return null; // A config.conf from another version of Dash: the report shows the run alone.
        }
        if (id is null || id == folder.Id) return null;
        var warm = new RunFolder(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder.Path))!, id));
        return File.Exists(warm.EvalCsv) ? warm : null;
    }

    /// <summary>Before / after the warm-up / after training, from the runs' first and last evaluations.</summary>
    public static IReadOnlyList<Stage> Stages(RunData run, RunData? warmup)
    {
        static Stage? At(RunData r, int index, string name)
        {
            var correct = r.Evals.Column("correct");
            var problems = r.Evals.Column("problems");
            if (correct is null || problems is null || correct.Length == 0) return null;
            var i = index < 0 ? correct.Length - 1 : index;
            return new Stage(name, (int)correct[i], (int)problems[i]);
        }
        var after = run.Sft ? "after SFT" : "after RL";
        var stages = warmup is not null
            ? new[] { At(warmup, 0, "before training"), At(run, 0, "after warm-up"), At(run, -1, after) }
            : [At(run, 0, "before training"), At(run, -1, after)];
        return [.. stages.OfType<Stage>()];
    }

    /// <summary>The gain from <paramref name="a"/> to <paramref name="b"/> in points and in standard errors of the difference.</summary>
    public static (double Points, double Sigmas) Gain(Stage a, Stage b)
    {
        var se = Math.Sqrt(a.Accuracy * (1 - a.Accuracy) / Math.Max(1, a.Problems) + b.Accuracy * (1 - b.Accuracy) / Math.Max(1, b.Problems));
        var diff = b.Accuracy - a.Accuracy;
        return (diff * 100, se > 0 ? diff / se : double.NaN);
    }

    /// <summary>Writes report.png for <paramref name="folder"/> into <paramref name="dir"/>; returns its path.</summary>
    public static string Write(RunFolder folder, string dir)
    {
        var run = RunData.Read(folder);
        var warmFolder = WarmupOf(folder);
        var warm = warmFolder is null ? null : RunData.Read(warmFolder);
        var stages = Stages(run, warm);
        var multiplot = new Multiplot();
        multiplot.AddPlots(5);
        var plots = multiplot.GetPlots();
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        layout.Set(plots[0], new GridCell(0, 0, 2, 3, 1, 2));
        layout.Set(plots[1], new GridCell(0, 2, 2, 3));
        layout.Set(plots[2], new GridCell(1, 0, 2, 3));
        layout.Set(plots[3], new GridCell(1, 1, 2, 3));
        layout.Set(plots[4], new GridCell(1, 2, 2, 3));
        multiplot.Layout = layout;

        var warmSteps = warm?.Steps.LastOrDefault() ?? 0;
        PlotKit.Style(plots[0], $"Held-out accuracy of run {run.Id} (greedy pass@1, 95 % Wilson bands)",
            warm is null ? "step" : "step (warm-up, then " + (run.Sft ? "SFT" : "RL") + ")", "accuracy", p => Story(p, run, warm, warmSteps), inside: Alignment.UpperLeft);
        PlotKit.Style(plots[1], Headline(stages), "", "accuracy", p => Bars(p, stages), legend: false);
        var lossOf = warm ?? (run.Sft ? run : null);
        PlotKit.Style(plots[2], lossOf is null ? "No supervised warm-up" : $"Supervised loss ({(warm is null ? "SFT" : "warm-up")})", "supervised step", "loss",
            p => PlotKit.RawAndEma(p, lossOf?.Steps ?? [], lossOf?.Metrics.Column("loss") ?? [], "loss", 3), inside: Alignment.UpperRight);
        PlotKit.Style(plots[3], run.Sft ? "Gradient norm" : "Training reward", "step", run.Sft ? "global L2 norm" : "reward", p =>
        {
            if (run.Sft)
            {
                var norm = run.Metrics.Column("grad_norm") ?? [];
                PlotKit.RawAndEma(p, run.Steps, norm, "grad-norm", 4);
                PlotKit.FromZero(p, norm.DefaultIfEmpty(0).Max());
                return;
            }
            var reward = run.Metrics.Column("reward_mean") ?? [];
            PlotKit.RawAndEma(p, run.Steps, reward, "reward", 0);
            PlotKit.RateAxis(p, reward.DefaultIfEmpty(0).Max());
        }, inside: Alignment.UpperLeft);
        PlotKit.Style(plots[4], "Completion length (tokens)", "step", "tokens", p =>
        {
            var sampled = run.Sft ? null : run.Metrics.Column("mean_completion_length");
            if (sampled is not null) PlotKit.RawAndEma(p, run.Steps, sampled, "sampled", 2);
            var held = run.Evals.Column("mean_completion_length") ?? [];
            var line = p.Add.Scatter(run.EvalSteps, held, PlotKit.ColorOf(0));
            line.LegendText = "held-out";
            PlotKit.FromZero(p, Math.Max(sampled?.DefaultIfEmpty(0).Max() ?? 0, held.DefaultIfEmpty(0).Max()) * 1.25);
        }, inside: Alignment.UpperRight);
        foreach (var p in plots) p.Legend.FontSize = 11;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "report.png");
        multiplot.SavePng(path, Width, Height);
        foreach (var p in plots) p.Dispose();
        return path;
    }

    /// <summary>The bars panel's title: each stage's accuracy and the last gain in points and standard errors.</summary>
    public static string Headline(IReadOnlyList<Stage> stages)
    {
        if (stages.Count < 2) return "Held-out accuracy";
        var (points, sigmas) = Gain(stages[^2], stages[^1]);
        var sigma = double.IsNaN(sigmas) ? "" : string.Create(CultureInfo.InvariantCulture, $", {sigmas:0.0}σ");
        return string.Create(CultureInfo.InvariantCulture, $"{stages[^1].Name}: {points:+0.0;-0.0;0.0} points{sigma}");
    }

    private static void Story(Plot p, RunData run, RunData? warm, double warmSteps)
    {
        var rl = run.Accuracy();
        var before = warm?.Accuracy() ?? [];
        var top = 0.0;
        for (var i = 0; i < rl.Count; i++)
        {
            var s = rl[i];
            var w = before.FirstOrDefault(b => b.Label == s.Label);
            // The RL run's first evaluation is the warm-up's last model: drawn once.
            var skip = w is not null && warm!.EvalSteps.LastOrDefault() == warmSteps ? 1 : 0;
            double[] xs = [.. (w is null ? [] : warm!.EvalSteps), .. run.EvalSteps.Skip(skip).Select(x => x + warmSteps)];
            double[] correct = [.. w?.Correct ?? [], .. s.Correct.Skip(skip)];
            double[] problems = [.. w?.Problems ?? [], .. s.Problems.Skip(skip)];
            var color = s.Sampled ? Colors.Gray : PlotKit.ColorOf(i);
            var labelled = new AccuracySeries(s.Label, correct, problems, s.Sampled);
            // The warm-up is evaluated only before and after it: a dashed line with no band between those points, so the
            // straight segment does not read as a measured steady climb; the RL part is measured every eval-every steps.
            var first = w is null ? 0 : Math.Min(xs.Length - 1, w.Correct.Length - skip);
            if (first > 0)
            {
                var across = p.Add.Scatter(xs[..(first + 1)], [.. xs[..(first + 1)].Select((_, k) => problems[k] > 0 ? correct[k] / problems[k] : 0)], color);
                (across.LineWidth, across.MarkerSize, across.LinePattern) = (2, 6, LinePattern.Dashed);
            }
            PlotKit.AccuracyWithBand(p, xs[first..], correct[first..], problems[first..], $"{s.Label} (n = {problems.LastOrDefault():0})", color, band: !s.Sampled);
            if (s.Sampled) p.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Last().LinePattern = LinePattern.Dashed;
            top = Math.Max(top, labelled.MaxHigh);
        }
        if (warm is not null && warmSteps > 0)
        {
            var span = p.Add.HorizontalSpan(0, warmSteps, Colors.Gray.WithAlpha(0.12));
            span.LegendText = "warm-up (SFT)";
        }
        PlotKit.RateAxis(p, top);
    }

    private static void Bars(Plot p, IReadOnlyList<Stage> stages)
    {
        var bars = new List<Bar>();
        for (var i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            bars.Add(new Bar { Position = i, Value = s.Accuracy, FillColor = PlotKit.ColorOf(i == stages.Count - 1 ? 2 : i == 0 ? 7 : 0), LineWidth = 0 });
        }
        p.Add.Bars(bars);
        var bounds = stages.Select(s => Stats.Wilson(s.Correct, s.Problems)).ToArray();
        var errors = new ScottPlot.Plottables.ErrorBar(
            [.. stages.Select((_, i) => (double)i)], [.. stages.Select(s => s.Accuracy)], new double[stages.Count], new double[stages.Count],
            [.. stages.Select((s, i) => bounds[i].High - s.Accuracy)], [.. stages.Select((s, i) => s.Accuracy - bounds[i].Low)])
        { Color = Colors.Black, CapSize = 8 };
        p.Add.Plottable(errors);
        for (var i = 0; i < stages.Count; i++)
        {
            var text = p.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{PlotKit.PercentLabel(stages[i].Accuracy)}\n{stages[i].Correct}/{stages[i].Problems}"),
                i, bounds[i].High);
            text.Alignment = Alignment.LowerCenter;
            text.LabelFontSize = 13;
        }
        p.Axes.Bottom.SetTicks([.. stages.Select((_, i) => (double)i)], [.. stages.Select(s => s.Name)]);
        PlotKit.RateAxis(p, Math.Min(1, bounds.Select(b => b.High).DefaultIfEmpty(0).Max() + 0.08));
        p.Axes.SetLimitsX(-0.6, stages.Count - 0.4);
    }
}
