// Drawing helpers shared by the run plots, the report and the findings chart: one style for lines, bands and axes.
using System.Globalization;
using ScottPlot;

namespace Dash.Host.Output;

internal static class PlotKit
{
    public static readonly ScottPlot.Palettes.Category10 Palette = new();

    public static Color ColorOf(int i) => Palette.GetColor(i);

    /// <summary>Title, axis labels and a legend outside the data area (right), then the PNG.</summary>
    public static string Save(string path, int width, int height, string title, string x, string y, Action<Plot> draw, bool legend = true)
    {
        using var plot = new Plot();
        Style(plot, title, x, y, draw, legend);
        plot.SavePng(path, width, height);
        return path;
    }

    /// <summary>
    /// Draws one panel: its content, title, labels and (when anything is labelled) a legend outside the data, or inside
    /// at <paramref name="inside"/> for the report's small panels.
    /// </summary>
    public static void Style(Plot plot, string title, string x, string y, Action<Plot> draw, bool legend = true, Alignment? inside = null)
    {
        draw(plot);
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        if (!legend || (plot.Legend.ManualItems.Count == 0 && !plot.GetPlottables().Any(p => p.LegendItems.Any(i => !string.IsNullOrEmpty(i.LabelText)))))
            plot.HideLegend();
        else if (inside is { } corner)
            plot.ShowLegend(corner);
        else
            plot.ShowLegend(Edge.Right);
    }

    /// <summary>A metric's raw values as a faint line and its EMA as a solid one (the EMA span in the legend).</summary>
    public static void RawAndEma(Plot p, double[] xs, double[] ys, string label, int colour)
    {
        if (xs.Length == 0) return;
        var raw = p.Add.ScatterLine(xs, ys, ColorOf(colour).WithAlpha(0.3));
        raw.LineWidth = 1;
        raw.LegendText = label + " (raw)";
        var span = Stats.EmaSpan(xs.Length);
        var ema = p.Add.ScatterLine(xs, Stats.Ema(ys, span), ColorOf(colour));
        ema.LineWidth = 2.5f;
        ema.LegendText = $"{label} (EMA, span {span})";
    }

    /// <summary>A held-out accuracy curve with markers and its 95 % Wilson band (correct / problems per point).</summary>
    public static void AccuracyWithBand(Plot p, double[] xs, double[] correct, double[] problems, string label, Color color, bool band = true)
    {
        if (xs.Length == 0) return;
        var acc = xs.Select((_, i) => problems[i] > 0 ? correct[i] / problems[i] : 0).ToArray();
        if (band)
        {
            var bounds = xs.Select((_, i) => Stats.Wilson((int)Math.Round(correct[i]), (int)problems[i])).ToArray();
            var fill = p.Add.FillY(xs, [.. bounds.Select(b => b.High)], [.. bounds.Select(b => b.Low)]);
            fill.FillColor = color.WithAlpha(0.18);
            fill.LineWidth = 0;
        }
        var line = p.Add.Scatter(xs, acc, color);
        line.LineWidth = 2;
        line.MarkerSize = 6;
        line.LegendText = label;
    }

    /// <summary>A rate axis (accuracy, reward, kept fraction): 0 at the bottom, a top from <see cref="Stats.RateAxisTop"/>, percent labels.</summary>
    public static void RateAxis(Plot p, double max)
    {
        var top = Stats.RateAxisTop(max);
        p.Axes.SetLimitsY(0, top);
        var step = top <= 0.2 ? 0.02 : top <= 0.5 ? 0.05 : 0.1;
        p.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(step) { LabelFormatter = v => Percent(v) };
    }

    /// <summary>A non-negative quantity's axis (seconds, tokens, norms): from 0 to a little above the largest value.</summary>
    public static void FromZero(Plot p, double max)
    {
        var top = max <= 0 || double.IsNaN(max) ? 1 : max * 1.1;
        p.Axes.SetLimitsY(0, top);
    }

    /// <summary>A value label: one decimal always ("2.0 %").</summary>
    public static string PercentLabel(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    /// <summary>A tick label: no trailing zeros ("2 %", "2.5 %").</summary>
    public static string Percent(double v) => (v * 100).ToString(v * 100 % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " %";

    /// <summary>Cumulative sums: wall time from per-step seconds.</summary>
    public static double[] Cumulative(IEnumerable<double> xs)
    {
        var sum = 0.0;
        return [.. xs.Select(x => sum += x)];
    }
}
