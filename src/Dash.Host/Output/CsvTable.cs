// A run's CSV file (metrics.csv, eval.csv) read back by column name, for plots: whatever columns the file carries.
using System.Globalization;

namespace Dash.Host.Output;

internal sealed class CsvTable
{
    private readonly Dictionary<string, double[]> _columns;

    private CsvTable(string[] names, Dictionary<string, double[]> columns)
    {
        Names = names;
        _columns = columns;
    }

    /// <summary>The column names, in file order.</summary>
    public string[] Names { get; }

    public int Rows => _columns.Count == 0 ? 0 : _columns.Values.First().Length;

    public static CsvTable Empty { get; } = new([], []);

    /// <summary>Reads <paramref name="path"/>; a missing file is an empty table.</summary>
    /// <exception cref="UserException">A row has a different number of cells than the header, or a cell is not a number.</exception>
    public static CsvTable Read(string path)
    {
        if (!File.Exists(path)) return Empty;
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) return Empty;
        var names = lines[0].Split(',').Select(n => n.Trim()).ToArray();
        var cells = new double[names.Length][];
        for (var c = 0; c < names.Length; c++) cells[c] = new double[lines.Length - 1];
        for (var r = 1; r < lines.Length; r++)
        {
            var row = lines[r].Split(',');
            if (row.Length != names.Length)
                throw new UserException($"{path}:{r + 1}: {row.Length} cells but the header has {names.Length}; the file is damaged (dash rewrites it on the next step).");
            for (var c = 0; c < names.Length; c++)
            {
                if (!double.TryParse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new UserException($"{path}:{r + 1}: \"{row[c]}\" in column {names[c]} is not a number.");
                cells[c][r - 1] = v;
            }
        }
        return new CsvTable(names, names.Select((n, c) => (n, c)).DistinctBy(x => x.n).ToDictionary(x => x.n, x => cells[x.c]));
    }

    /// <summary>The column's values, or null when the file has no such column.</summary>
    public double[]? Column(string name) => _columns.GetValueOrDefault(name);

    public bool Has(string name) => _columns.ContainsKey(name);
}
