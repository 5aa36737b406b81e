// PNG plots of benchmark results, read back from the markdown tables Dash writes: the paper's stacked per-phase bars
// (dash bench compare) and the bottleneck curves (bench/Dash.Bench.Model).
using System.Globalization;
using ScottPlot;

namespace Dash.Host.Output;

internal static class BenchPlots
{
    /// <summary>One algorithm's row of a <c>dash bench compare</c> table: total training seconds and seconds per phase.</summary>
    public sealed record CompareRow(string Algorithm, double TrainingSeconds, IReadOnlyList<(string Phase, double Seconds)> Phases);

    /// <summary>One model's curves from a model-benchmark report: (batch, tokens/s) for sampling and for training.</summary>
    public sealed record ModelCurves(string Model, IReadOnlyList<(int Batch, double TokensPerSecond)> Sampling,
        IReadOnlyList<(int Batch, double TokensPerSecond)> Training);

    /// <summary>Writes the plots <paramref name="markdown"/> holds next to <paramref name="outputStem"/>; returns their paths.</summary>
    /// <exception cref="UserException">The file holds neither kind of table.</exception>
    public static IReadOnlyList<string> Write(string markdownPath, string outputStem)
    {
        var lines = File.ReadAllLines(markdownPath);
        var title = Path.GetFileNameWithoutExtension(markdownPath);
        var compare = ParseCompare(lines, markdownPath);
        if (compare.Count > 0)
        {
            var path = outputStem + "-phases.png";
            WritePhases(path, $"Training time per phase ({title})", compare);
            return [path];
        }
        var models = ParseModels(lines, markdownPath);
        if (models.Count > 0)
        {
            var sampling = outputStem + "-sampling.png";
            var training = outputStem + "-training.png";
            WriteCurves(sampling, $"Sampling throughput vs batch ({title})", "sampling batch (rows per forward pass)", "new tokens/s",
                models.Select(m => (m.Model, m.Sampling)).ToList());
            WriteCurves(training, $"Training throughput vs micro-batch ({title})", "micro-batch (rows per forward+backward)", "train tokens/s",
                models.Select(m => (m.Model, m.Training)).ToList());
            return [sampling, training];
        }
        throw new UserException($"{markdownPath}: no `dash bench compare` table (a header starting \"| algorithm | training s |\") " +
                                "and no model-benchmark table (\"| sampling batch |\"); give a results file that dash or bench/Dash.Bench.Model wrote.");
    }

    /// <summary>Rows of the first compare table in <paramref name="lines"/> (empty when there is none).</summary>
    public static List<CompareRow> ParseCompare(string[] lines, string source)
    {
        var header = Array.FindIndex(lines, l => l.StartsWith("| algorithm | training s |", StringComparison.Ordinal));
        var rows = new List<CompareRow>();
        if (header < 0) return rows;
        var names = Cells(lines[header]);
        var phaseColumns = Enumerable.Range(0, names.Length)
            .Where(i => names[i].EndsWith(" s", StringComparison.Ordinal) && names[i] != "training s")
            .ToArray();
        for (var i = header + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = Cells(lines[i]);
            if (cells.Length != names.Length)
                throw new UserException($"{source}:{i + 1}: the row has {cells.Length} cells but the header has {names.Length}.");
            var phases = phaseColumns.Select(c => (names[c][..^2], Number(cells[c], source, i))).ToList();
            rows.Add(new CompareRow(cells[0], Number(cells[1], source, i), phases));
        }
        return rows;
    }

    /// <summary>Every model block ("**name** — …" followed by its two tables) in <paramref name="lines"/>.</summary>
    public static List<ModelCurves> ParseModels(string[] lines, string source)
    {
        var models = new List<ModelCurves>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("**", StringComparison.Ordinal) || !lines[i].Contains("** — ", StringComparison.Ordinal)) continue;
            var name = lines[i][2..lines[i].IndexOf("**", 2, StringComparison.Ordinal)];
            var sampling = Curve(lines, i, "| sampling batch |", source);
            var training = Curve(lines, i, "| micro-batch |", source);
            if (sampling.Count == 0 && training.Count == 0) continue;
            var label = models.Any(m => m.Model == name) ? $"{name} ({models.Count(m => m.Model.StartsWith(name, StringComparison.Ordinal)) + 1})" : name;
            models.Add(new ModelCurves(label, sampling, training));
        }
        return models;
    }

    // The table whose header starts with `head`, searched from the model line up to the next model line.
    private static List<(int, double)> Curve(string[] lines, int from, string head, string source)
    {
        for (var i = from + 1; i < lines.Length && !lines[i].StartsWith("**", StringComparison.Ordinal); i++)
        {
            if (!lines[i].StartsWith(head, StringComparison.Ordinal) || i + 2 >= lines.Length) continue;
            var batches = Cells(lines[i])[1..];
            var values = Cells(lines[i + 2])[1..];
            if (batches.Length != values.Length)
                throw new UserException($"{source}:{i + 3}: {values.Length} values for {batches.Length} batch sizes.");
            return [.. batches.Select((b, k) => ((int)Number(b, source, i), Number(values[k], source, i + 2)))];
        }
        return [];
    }

    private static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim().Replace("**", "", StringComparison.Ordinal))];

    private static double Number(string cell, string source, int line)
    {
        var text = cell.Replace(",", "", StringComparison.Ordinal).Replace("%", "", StringComparison.Ordinal).Trim();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new UserException($"{source}:{line + 1}: \"{cell}\" is not a number.");
    }

    private static void WritePhases(string path, string title, IReadOnlyList<CompareRow> rows)
    {
        using var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var phases = rows[0].Phases.Select(p => p.Phase).ToArray();
        var bars = new List<Bar>();
        for (var r = 0; r < rows.Count; r++)
        {
            var bottom = 0.0;
            for (var k = 0; k < phases.Length; k++)
            {
                var v = rows[r].Phases[k].Seconds;
                bars.Add(new Bar { Position = r, ValueBase = bottom, Value = bottom + v, FillColor = palette.GetColor(k) });
                bottom += v;
            }
            var ratio = rows[r].TrainingSeconds / rows[0].TrainingSeconds;
            var label = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{rows[r].TrainingSeconds:0.0} s ({ratio:0.00}×)"), r, rows[r].TrainingSeconds);
            label.LabelAlignment = Alignment.LowerCenter;
        }
        plot.Add.Bars(bars);
        for (var k = 0; k < phases.Length; k++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = phases[k], FillColor = palette.GetColor(k) });
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, rows.Count).Select(i => (double)i)], [.. rows.Select(r => TickLabel(r.Algorithm))]);
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title(title);
        plot.YLabel("seconds (median of repeats)");
        plot.ShowLegend(Edge.Right); // Outside the plot: inside, it covered the tallest bar and its label.
        plot.SavePng(path, Math.Max(Plots.Width, 170 * rows.Count + 250), Plots.Height); // ~170 px per bar keeps labels apart.
    }

    /// <summary>
    /// A compare row's tick label: each <c>+key=value</c> on its own line with the key's section left out
    /// (<c>dash+sampling.max-policy-lag=1</c> → "dash", "+max-policy-lag=1"), so neighbouring labels do not run into each other.
    /// </summary>
    internal static string TickLabel(string algorithm) => string.Join("\n+", algorithm.Split('+').Select((part, i) =>
    {
        var eq = part.IndexOf('=', StringComparison.Ordinal);
        var dot = eq < 0 ? -1 : part.LastIndexOf('.', eq);
        return i == 0 || dot < 0 ? part : part[(dot + 1)..];
    }));

    private static void WriteCurves(string path, string title, string x, string y, IReadOnlyList<(string Model, IReadOnlyList<(int Batch, double TokensPerSecond)> Points)> curves)
    {
        using var plot = new Plot();
        foreach (var (model, points) in curves.Where(c => c.Points.Count > 0))
        {
            var scatter = plot.Add.Scatter(points.Select(p => Math.Log2(p.Batch)).ToArray(), points.Select(p => Math.Log10(p.TokensPerSecond)).ToArray());
            scatter.LegendText = model;
        }
        // Log scales drawn as log2(batch) and log10(tokens/s) with readable tick labels.
        var batches = curves.SelectMany(c => c.Points.Select(p => p.Batch)).Distinct().Order().ToArray();
        plot.Axes.Bottom.SetTicks([.. batches.Select(b => Math.Log2(b))], [.. batches.Select(b => b.ToString(CultureInfo.InvariantCulture))]);
        var values = curves.SelectMany(c => c.Points.Select(p => p.TokensPerSecond)).Where(v => v > 0).ToArray();
        if (values.Length > 0)
        {
            var decades = Enumerable.Range((int)Math.Floor(Math.Log10(values.Min())), (int)Math.Ceiling(Math.Log10(values.Max())) - (int)Math.Floor(Math.Log10(values.Min())) + 1).ToArray();
            plot.Axes.Left.SetTicks([.. decades.Select(d => (double)d)], [.. decades.Select(d => Math.Pow(10, d).ToString("N0", CultureInfo.InvariantCulture))]);
        }
        plot.Title(title);
        plot.XLabel(x + ", log scale");
        plot.YLabel(y + ", log scale");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Plots.Width, Plots.Height);
    }
}
