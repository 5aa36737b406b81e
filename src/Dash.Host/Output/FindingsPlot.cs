// findings.png: held-out accuracy of every findings run (mean over seeds, 95 % t-interval, one dot per seed) against
// the warm-up they all start from, and the completion lengths the KL finding compares.
using System.Globalization;
using ScottPlot;

namespace Dash.Host.Output;

internal static class FindingsPlot
{
    public static string Write(string path, IReadOnlyList<Findings.ArmRun> runs)
    {
        var arms = Findings.Arms.Where(a => runs.Any(r => r.Arm == a.Key)).ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var (accuracy, length) = (multiplot.GetPlot(0), multiplot.GetPlot(1));
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        layout.Set(accuracy, new GridCell(0, 0, 1, 3, 1, 2));
        layout.Set(length, new GridCell(0, 2, 1, 3));
        multiplot.Layout = layout;

        PlotKit.Style(accuracy, "Held-out accuracy after each run (mean, 95 % t-interval, dots = seeds)", "", "accuracy", p =>
        {
            var top = Bars(p, arms, runs, r => r.Accuracy);
            var start = runs.Select(r => r.StartAccuracy).DefaultIfEmpty(0).Average();
            var line = p.Add.HorizontalLine(start, 1.5f, Colors.Gray, LinePattern.Dashed);
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"warm-up (start): {PlotKit.PercentLabel(start)}");
            PlotKit.RateAxis(p, Math.Max(top, start));
        }, inside: Alignment.UpperRight); // Inside: on the right edge it floated in the gap between the two panels.
        PlotKit.Style(length, "Held-out completion length", "", "tokens", p => PlotKit.FromZero(p, Bars(p, arms, runs, r => r.CompletionLength)), legend: false);
        multiplot.SavePng(path, 1500, 650);
        accuracy.Dispose();
        length.Dispose();
        return path;
    }

    /// <summary>One bar per arm with its t-interval and the seeds as dots; returns the highest value drawn.</summary>
    private static double Bars(Plot p, Findings.Arm[] arms, IReadOnlyList<Findings.ArmRun> runs, Func<Findings.ArmRun, double> value)
    {
        var top = 0.0;
        var bars = new List<Bar>();
        for (var i = 0; i < arms.Length; i++)
        {
            var xs = runs.Where(r => r.Arm == arms[i].Key).Select(value).ToArray();
            var (mean, half) = Stats.MeanInterval(xs);
            var error = double.IsNaN(half) ? 0 : half;
            bars.Add(new Bar { Position = i, Value = mean, Error = error, FillColor = PlotKit.ColorOf(i).WithAlpha(0.75), LineWidth = 0 });
            p.Add.Markers(Enumerable.Repeat((double)i, xs.Length).ToArray(), xs, MarkerShape.FilledCircle, 6, Colors.Black);
            top = Math.Max(top, Math.Max(mean + error, xs.DefaultIfEmpty(0).Max()));
        }
        p.Add.Bars(bars);
        p.Axes.Bottom.SetTicks([.. arms.Select((_, i) => (double)i)], [.. arms.Select(a => a.Key)]);
        p.Axes.Bottom.TickLabelStyle.Rotation = 30;
        p.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        p.Axes.Bottom.MinimumSize = 80;
        p.Axes.Right.MinimumSize = 60; // Room for the last rotated label, which otherwise ran off the panel's right edge.
        return top;
    }
}
