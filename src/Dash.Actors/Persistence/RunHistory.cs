// A run's full history read straight from its journal tables: every event from sequence 1, checked, plus its snapshot.
using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Dash.Actors.Persistence;

/// <summary>A run journal that cannot be read as it is: the message names the file (or database) and what to do.</summary>
public sealed class JournalDamagedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Everything a run has journaled, from its first event. <see cref="State"/> is the fold of every event (a snapshot
/// only shortens the coordinator's recovery, it is never the source of history). <see cref="SnapshotProblem"/> says
/// why the newest snapshot must not be used (unreadable, or not equal to the events it stands for), if so.
/// </summary>
public sealed record RunHistory(IReadOnlyList<IRunEvent> Events, string? SnapshotProblem)
{
    public static readonly RunHistory None = new([], null);

    public RunState State { get; } = Events.Aggregate(RunState.Empty, (s, e) => s.Apply(e));

    /// <summary>
    /// Reads run <paramref name="runId"/>'s rows from <paramref name="journal"/> (a SQLite file that does not exist
    /// holds no events). Throws <see cref="JournalDamagedException"/> for a zero-length, truncated or corrupt file, an
    /// unreadable event or a gap in the sequence numbers.
    /// </summary>
    public static RunHistory Read(JournalConfig journal, string runId)
    {
        var where = journal is SqliteJournal s ? s.Path : PostgresWhere((PostgresJournal)journal);
        var fix = journal is SqliteJournal
            ? $"Restore {where} from a backup, or move the run folder aside (or use a new --run-id) to start the run again."
            : "Repair the rows of this run in the database, or use a new --run-id to start the run again.";
        if (journal is SqliteJournal sqlite)
        {
            if (!File.Exists(sqlite.Path)) return None;
            if (new FileInfo(sqlite.Path).Length == 0)
                throw new JournalDamagedException($"the run journal {sqlite.Path} is empty (0 bytes): the run's history is lost. {fix}");
        }
        try
        {
            using var connection = Open(journal);
            if (!HasTable(connection, journal, "journal")) return None;
            var events = ReadEvents(connection, runId, where, fix);
            var problem = HasTable(connection, journal, "snapshot") ? CheckSnapshot(connection, runId, events) : null;
            return new RunHistory(events, problem);
        }
        catch (Exception e) when (e is SqliteException or Npgsql.NpgsqlException or InvalidCastException)
        {
            throw new JournalDamagedException($"the run journal {where} of run {runId} cannot be read ({e.Message.TrimEnd('.')}). {fix}", e);
        }
    }

    /// <summary>
    /// The runs a SQLite journal file holds events of (their ids, without the "run-" prefix), in order; none when the file
    /// has no journal table. A file that cannot be read throws <see cref="JournalDamagedException"/>.
    /// </summary>
    public static IReadOnlyList<string> RunIdsIn(string sqlitePath)
    {
        var journal = new SqliteJournal(sqlitePath);
        try
        {
            using var connection = Open(journal);
            if (!HasTable(connection, journal, "journal")) return [];
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT DISTINCT persistence_id FROM journal WHERE persistence_id LIKE 'run-%' ORDER BY persistence_id";
            var ids = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) ids.Add(reader.GetString(0)["run-".Length..]);
            return ids;
        }
        catch (SqliteException e)
        {
            throw new JournalDamagedException($"the run journal {sqlitePath} cannot be read ({e.Message.TrimEnd('.')}).", e);
        }
    }

    /// <summary>Names a PostgreSQL journal in messages: its database and server, never its password.</summary>
    private static string PostgresWhere(PostgresJournal journal)
    {
        var c = new Npgsql.NpgsqlConnectionStringBuilder(journal.ConnectionString);
        return $"in PostgreSQL (database {c.Database} on {c.Host}:{c.Port})";
    }

    private static DbConnection Open(JournalConfig journal)
    {
        DbConnection connection = journal switch
        {
            SqliteJournal s => new SqliteConnection(ReadOnly(s.Path)),
            PostgresJournal p => new Npgsql.NpgsqlConnection(p.ConnectionString),
            _ => throw new ArgumentException($"unknown journal {journal}", nameof(journal)),
        };
        connection.Open();
        return connection;
    }

    /// <summary>
    /// A read-only connection string. Without a <c>-wal</c> file no connection is open on the journal and every event is
    /// in the file itself: it is read as immutable, which creates no <c>-wal</c>/<c>-shm</c> beside it, so reading a
    /// journal (a refused start, <c>dash runs show</c>) leaves the run folder exactly as it was.
    /// </summary>
    private static string ReadOnly(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = File.Exists(path + "-wal") ? path : new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1",
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = false,
    }.ToString();

    private static bool HasTable(DbConnection connection, JournalConfig journal, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = journal is SqliteJournal
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
            : $"SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{table}'";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static List<IRunEvent> ReadEvents(DbConnection connection, string runId, string where, string fix)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, manifest, message FROM journal WHERE persistence_id = @id AND deleted = @no ORDER BY sequence_number";
        Parameter(command, "@id", $"run-{runId}");
        Parameter(command, "@no", false);
        var events = new List<IRunEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var sequenceNr = reader.GetInt64(0);
            var expected = events.Count + 1L;
            if (sequenceNr != expected)
            {
                throw new JournalDamagedException(
                    $"the run journal {where} is missing event{(sequenceNr - expected > 1 ? "s" : "")} #{expected}" +
                    $"{(sequenceNr - expected > 1 ? $"..#{sequenceNr - 1}" : "")} of run {runId} (the next one is #{sequenceNr}). {fix}");
            }
            var manifest = reader.IsDBNull(1) ? "" : reader.GetString(1);
            events.Add(Decode<IRunEvent>((byte[])reader[2], manifest)
                ?? throw new JournalDamagedException($"the run journal {where}: event #{sequenceNr} of run {runId} ({manifest}) cannot be read. {fix}"));
        }
        return events;
    }

    /// <summary>Why the newest snapshot must not be used, or null when it is fine (or there is none).</summary>
    private static string? CheckSnapshot(DbConnection connection, string runId, List<IRunEvent> events)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, manifest, snapshot FROM snapshot WHERE persistence_id = @id ORDER BY sequence_number DESC LIMIT 1";
        Parameter(command, "@id", $"run-{runId}");
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var sequenceNr = reader.GetInt64(0);
        var manifest = reader.IsDBNull(1) ? "" : reader.GetString(1);
        var bytes = reader.IsDBNull(2) ? [] : (byte[])reader[2];
        if (sequenceNr > events.Count) return $"the snapshot at event #{sequenceNr} is newer than the last event (#{events.Count})";
        if (Decode<RunState>(bytes, manifest) is not { } snapshot) return $"the snapshot at event #{sequenceNr} cannot be read";
        var replayed = events.Take((int)sequenceNr).Aggregate(RunState.Empty, (s, e) => s.Apply(e));
        return JsonSerializer.Serialize(snapshot) == JsonSerializer.Serialize(replayed) ? null : $"the snapshot at event #{sequenceNr} does not match the events";
    }

    private static T? Decode<T>(byte[] bytes, string manifest) where T : class
    {
        try
        {
            return RunEventSerializer.Decode(bytes, manifest) as T;
        }
        catch (Exception e) when (e is JsonException or System.Runtime.Serialization.SerializationException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
