// PNG plots of a run with ScottPlot: reward and accuracy versus step and wall time, and per-phase time per step.
using Dash.Actors.Protocol;
using ScottPlot;

namespace Dash.Host.Output;

internal static class Plots
{
    public const int Width = 900;
    public const int Height = 500;

    public static void Write(string dir, IReadOnlyList<StepReport> steps, IReadOnlyList<EvalReport> evals)
    {
        Directory.CreateDirectory(dir);
        var step = steps.Select(s => (double)s.Step + 1).ToArray();
        var wall = Cumulative(steps.Select(s => s.Seconds));

        Save(Path.Combine(dir, "reward_vs_step.png"), "Mean reward per step", "optimizer step", "reward",
            p => Line(p, step, steps.Select(s => s.RewardMean).ToArray(), "train reward"));
        Save(Path.Combine(dir, "reward_vs_time.png"), "Mean reward versus wall time", "seconds", "reward",
            p => Line(p, wall, steps.Select(s => s.RewardMean).ToArray(), "train reward"));
        Save(Path.Combine(dir, "accuracy_vs_step.png"), "Held-out accuracy (greedy pass@1)", "optimizer step", "accuracy",
            p =>
            {
                Line(p, evals.Select(e => (double)e.Step).ToArray(), evals.Select(e => e.Accuracy).ToArray(), "held-out");
                Line(p, step, steps.Select(s => s.TrainAccuracy).ToArray(), "train samples");
            });
        Save(Path.Combine(dir, "accuracy_vs_time.png"), "Held-out accuracy versus wall time", "seconds", "accuracy",
            p => Line(p, evals.Select(e => e.Step == 0 ? 0 : wall[Math.Min(wall.Length, (int)e.Step) - 1]).ToArray(),
                evals.Select(e => e.Accuracy).ToArray(), "held-out"));
        Save(Path.Combine(dir, "phase_times.png"), "Time per phase (stacked, per step)", "optimizer step", "seconds", p => StackedPhases(p, steps));
    }

    private static double[] Cumulative(IEnumerable<double> xs)
    {
        var sum = 0.0;
        return [.. xs.Select(x => sum += x)];
    }

    private static void Line(Plot p, double[] xs, double[] ys, string label)
    {
        if (xs.Length == 0) return;
        var scatter = p.Add.Scatter(xs, ys);
        scatter.LegendText = label;
    }

    private static void StackedPhases(Plot p, IReadOnlyList<StepReport> steps)
    {
        string[] phases = [Phases.Sample, Phases.Reward, Phases.Advantage, Phases.Learn, Phases.Checkpoint, Phases.WeightSync];
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        foreach (var s in steps)
        {
            var bottom = 0.0;
            for (var i = 0; i < phases.Length; i++)
            {
                var v = s.PhaseSeconds.GetValueOrDefault(phases[i]);
                bars.Add(new Bar { Position = s.Step + 1, ValueBase = bottom, Value = bottom + v, FillColor = palette.GetColor(i) });
                bottom += v;
            }
        }
        p.Add.Bars(bars);
        for (var i = 0; i < phases.Length; i++)
            p.Legend.ManualItems.Add(new LegendItem { LabelText = phases[i], FillColor = palette.GetColor(i) });
    }

    private static void Save(string path, string title, string x, string y, Action<Plot> draw)
    {
        using var plot = new Plot();
        draw(plot);
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }
}
