// Measures run persistence through the real dash CLI: restart → first new committed step, journal bytes per step, checkpoint time.
using System.Diagnostics;
using System.Globalization;
using Dash.Actors.Tests.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

var inv = CultureInfo.InvariantCulture;
var runs = int.TryParse(Arg("--runs"), inv, out var r) ? r : 5;
var bytesSteps = int.TryParse(Arg("--bytes-steps"), inv, out var b) ? b : 30;
var dash = Arg("--dash") ?? FindDash();
string[] journals = args.Contains("--postgres") ? ["sqlite", "postgres"] : ["sqlite"];
var root = Directory.CreateTempSubdirectory("dash-bench-persist-").FullName;
Console.WriteLine($"dash: {dash}");
Console.WriteLine($"machine: nproc {Environment.ProcessorCount}, CPU \"{CpuModel()}\", load average {File.ReadAllText("/proc/loadavg").Trim()}");
PostgresServer? server = journals.Contains("postgres") ? new PostgresServer() : null;
try
{
    foreach (var journal in journals)
    {
        var runsDir = Directory.CreateDirectory(Path.Combine(root, journal)).FullName;
        var connection = server?.NewDatabase();
        var env = journal == "postgres" ? new Dictionary<string, string> { ["DASH_POSTGRES"] = connection! } : [];
        string[] sets = journal == "postgres" ? ["persistence.journal=postgres"] : [];
        var steps = 2;
        Train(runsDir, steps, env, sets);

        // Restart → first new committed step: each restart extends the run by one step (dash.run.steps may change on resume).
        var toFirstStep = new List<double>();
        var toResuming = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var (resuming, firstStep, _) = Train(runsDir, ++steps, env, sets);
            toResuming.Add(resuming);
            toFirstStep.Add(firstStep);
        }

        // Journal bytes per step: the store's size before and after bytesSteps more steps (one evaluation at the end).
        var before = JournalBytes(journal, runsDir, connection);
        var payloadBefore = Payload(journal, runsDir, connection);
        steps += bytesSteps;
        Train(runsDir, steps, env, sets);
        var after = JournalBytes(journal, runsDir, connection);
        var payload = Payload(journal, runsDir, connection);

        var checkpoint = File.ReadLines(Path.Combine(runsDir, "bench", "metrics.csv")).ToArray() is var lines && lines.Length > 1
            ? ColumnValues(lines, "checkpoint_s") : [];
        Console.WriteLine();
        Console.WriteLine($"## {journal} journal ({runs} restarts, {bytesSteps} steps for bytes, {checkpoint.Count} checkpoints)");
        Console.WriteLine($"restart -> 'Resuming run' line (s): median {Median(toResuming):0.00}  min {toResuming.Min():0.00}  max {toResuming.Max():0.00}");
        Console.WriteLine($"restart -> first new committed step line (s): median {Median(toFirstStep):0.00}  min {toFirstStep.Min():0.00}  max {toFirstStep.Max():0.00}");
        Console.WriteLine($"journal store growth: {before} -> {after} bytes = {(after - before) / (double)bytesSteps:0} bytes/step ({StoreName(journal)})");
        Console.WriteLine($"StepCommitted payload: median {payload.MedianStep:0} bytes/event; {payload.Events - payloadBefore.Events} events for {bytesSteps} steps");
        if (checkpoint.Count > 0)
            Console.WriteLine($"checkpoint write (metrics.csv checkpoint_s, s): median {Median(checkpoint):0.000}  min {checkpoint.Min():0.000}  max {checkpoint.Max():0.000}; " +
                              $"checkpoint folder {CheckpointBytes(Path.Combine(runsDir, "bench", "checkpoints")) / 1e6:0.0} MB");
    }
}
finally
{
    server?.Dispose();
    Directory.Delete(root, recursive: true);
}
return 0;

// Runs `dash train` to the end; returns seconds from process start to the "Resuming run" line and to the first step line.
(double Resuming, double FirstStep, double Total) Train(string runsDir, int steps, Dictionary<string, string> env, string[] extra)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = runsDir };
    string[] sets = ["model.warmup-steps=0", "sampling.prompts-per-step=4", "sampling.batch-size=16", "run.eval-problems=8", "run.eval-every=0",
        "sampling.max-new-tokens=16", .. extra];
    foreach (var a in new[] { dash, "train", "--runs-dir", runsDir, "--run-id", "bench", "--steps", steps.ToString(inv) }.Concat(sets.SelectMany(s => new[] { "--set", s })))
        start.ArgumentList.Add(a);
    foreach (var (k, v) in env) start.Environment[k] = v;
    var clock = Stopwatch.StartNew();
    double resuming = double.NaN, firstStep = double.NaN;
    using var p = Process.Start(start)!;
    p.ErrorDataReceived += (_, _) => { };
    p.BeginErrorReadLine();
    while (p.StandardOutput.ReadLine() is { } line)
    {
        if (double.IsNaN(resuming) && line.StartsWith("Resuming run", StringComparison.Ordinal)) resuming = clock.Elapsed.TotalSeconds;
        if (double.IsNaN(firstStep) && line.StartsWith("step ", StringComparison.Ordinal)) firstStep = clock.Elapsed.TotalSeconds;
    }
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"dash train exited with {p.ExitCode}");
    return (resuming, firstStep, clock.Elapsed.TotalSeconds);
}

long JournalBytes(string journal, string runsDir, string? connection)
{
    if (journal == "postgres")
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var q = new NpgsqlCommand("select pg_total_relation_size('journal')", c);
        return Convert.ToInt64(q.ExecuteScalar(), inv);
    }
    // The write-ahead log keeps up to ~4 MB until SQLite checkpoints it: fold it into the file first, then measure.
    var db = Path.Combine(runsDir, "bench", "journal.db");
    var wal = File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0;
    using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
    {
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        q.ExecuteNonQuery();
    }
    Console.WriteLine($"  ({db}: {new FileInfo(db).Length} bytes after checkpointing a {wal}-byte WAL)");
    return new FileInfo(db).Length;
}

(int Events, double MedianStep) Payload(string journal, string runsDir, string? connection)
{
    const string sql = "select manifest, {0}(message) from journal";
    var sizes = new List<(string Manifest, long Bytes)>();
    if (journal == "postgres")
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var q = new NpgsqlCommand(string.Format(inv, sql, "octet_length"), c);
        using var rd = q.ExecuteReader();
        while (rd.Read()) sizes.Add((rd.GetString(0), rd.GetInt64(1)));
    }
    else
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(runsDir, "bench", "journal.db")};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = string.Format(inv, sql, "length");
        using var rd = q.ExecuteReader();
        while (rd.Read()) sizes.Add((rd.GetString(0), rd.GetInt64(1)));
    }
    var steps = sizes.Where(s => s.Manifest == "step-committed.v1").Select(s => (double)s.Bytes).ToList();
    return (sizes.Count, steps.Count == 0 ? 0 : Median(steps));
}

static string StoreName(string journal) => journal == "postgres" ? "pg_total_relation_size('journal')" : "journal.db after a WAL checkpoint";

static long CheckpointBytes(string dir) =>
    Directory.GetDirectories(dir, "step-*").OrderDescending(StringComparer.Ordinal).Select(d => Directory.GetFiles(d).Sum(f => new FileInfo(f).Length)).FirstOrDefault();

static List<double> ColumnValues(string[] lines, string column)
{
    var index = Array.IndexOf(lines[0].Split(','), column);
    return index < 0 ? [] : [.. lines.Skip(1).Select(l => double.Parse(l.Split(',')[index], CultureInfo.InvariantCulture))];
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

static string CpuModel() =>
    File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static string FindDash()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Dash.sln")))
            return Path.Combine(dir.FullName, "src", "Dash.Host", "bin", "Release", "net10.0", "dash.dll");
    throw new FileNotFoundException("Run from a Dash checkout or pass --dash <path to dash.dll>.");
}
