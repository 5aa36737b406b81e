// Reads run journals back (a replay-only persistent actor) and knows the layout of a run folder.
using Akka.Actor;
using Akka.Persistence;

namespace Dash.Actors.Persistence;

/// <summary>A persistent actor with a run's persistence id that only replays its events, all of them from the first
/// (snapshots are ignored: they hold state, not history).</summary>
public sealed class JournalReader : ReceivePersistentActor
{
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    private readonly List<IRunEvent> _events = [];

    public JournalReader(string runId)
    {
        PersistenceId = $"run-{runId}";
        Recover<IRunEvent>(_events.Add);
        Command<string>(_ => Sender.Tell(_events.ToArray()));
    }

    public override string PersistenceId { get; }
}

/// <summary>Reads run journals.</summary>
public static class Journals
{
    /// <summary>Every event of run <paramref name="runId"/>, in journal order.</summary>
    public static IRunEvent[] Read(ActorSystem system, string runId)
    {
        var reader = system.ActorOf(Props.Create(() => new JournalReader(runId)));
        // Off the caller's synchronization context (a test runner's or a UI's), whose threads may all be blocked here.
        var events = Task.Run(() => reader.Ask<IRunEvent[]>("read", TimeSpan.FromSeconds(60))).GetAwaiter().GetResult();
        system.Stop(reader);
        return events;
    }
}

/// <summary>
/// The folder of one run: journal, checkpoints, configuration, metrics, plots and summary. The journal is
/// <paramref name="Store"/> when given, else the one the run's config.conf names (dash.persistence.journal), else
/// <see cref="Journal"/> (SQLite).
/// </summary>
public sealed record RunFolder(string Path, JournalConfig? Store = null)
{
    public string Journal => System.IO.Path.Combine(Path, "journal.db");
    public string Checkpoints => System.IO.Path.Combine(Path, "checkpoints");
    public string Config => System.IO.Path.Combine(Path, "config.conf");
    public string MetricsJsonl => System.IO.Path.Combine(Path, "metrics.jsonl");
    public string MetricsCsv => System.IO.Path.Combine(Path, "metrics.csv");
    public string EvalCsv => System.IO.Path.Combine(Path, "eval.csv");
    public string Plots => System.IO.Path.Combine(Path, "plots");
    public string TensorBoard => System.IO.Path.Combine(Path, "tensorboard");
    public string Summary => System.IO.Path.Combine(Path, "summary.md");
    public string Id => System.IO.Path.GetFileName(Path);

    /// <summary>Where this run's events are journaled.</summary>
    public JournalConfig JournalStore => Store ?? (JournaledToPostgres(out var settings)
        ? new PostgresJournal(Settings.PersistenceSettings.ResolveConnectionString(settings.Env, settings.File))
        : new SqliteJournal(Journal));

    /// <summary>Whether this folder holds a run: its SQLite journal, or a config.conf naming a PostgreSQL journal.</summary>
    public bool Exists => File.Exists(Journal) || JournaledToPostgres(out _);

    private bool JournaledToPostgres(out (string Env, string File) settings)
    {
        settings = ("", "");
        if (!File.Exists(Config)) return false;
        var config = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(Config));
        if (!string.Equals(config.GetString("dash.persistence.journal", "sqlite").Trim(), "postgres", StringComparison.OrdinalIgnoreCase)) return false;
        settings = (config.GetString("dash.persistence.postgres.connection-string-env", ""), config.GetString("dash.persistence.postgres.connection-string-file", ""));
        return true;
    }

    /// <summary>This run's full history, read from its journal (SQLite or PostgreSQL) rows (none when there is no
    /// journal yet); throws <see cref="JournalDamagedException"/>.</summary>
    public RunHistory History() => RunHistory.Read(JournalStore, Id);

    /// <summary>Every event of this run, from the first.</summary>
    public IRunEvent[] ReadEvents()
    {
        if (JournalStore is SqliteJournal sqlite && !File.Exists(sqlite.Path))
            throw new FileNotFoundException($"{Path}: no run journal ({sqlite.Path} does not exist).", sqlite.Path);
        return [.. History().Events];
    }
}
