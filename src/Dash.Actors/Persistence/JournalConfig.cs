// Builds the Akka.Persistence.Sql HOCON for the run journal: SQLite (WAL) in the run folder, or PostgreSQL.
using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace Dash.Actors.Persistence;

/// <summary>Where a run's journal and snapshots live.</summary>
public abstract record JournalConfig
{
    /// <summary>The HOCON that points Akka.Persistence.Sql's journal and snapshot store at this database.</summary>
    public abstract Config ToHocon();

    /// <summary>Checks the database can be reached/created before training starts; throws with a clear message.</summary>
    public abstract void Verify();

    /// <summary>The journal the settings ask for: <paramref name="sqlitePath"/> for sqlite, the resolved connection string for postgres.</summary>
    public static JournalConfig For(Settings.PersistenceSettings settings, string sqlitePath) => settings.Journal switch
    {
        Settings.JournalKind.Postgres => new PostgresJournal(settings.PostgresConnectionString
            ?? throw new InvalidOperationException("dash.persistence.journal = postgres but no connection string was resolved.")),
        _ => new SqliteJournal(sqlitePath),
    };

    protected static Config Build(string connectionString, string provider) => ConfigurationFactory.ParseString($$"""
        akka.persistence {
          journal {
            plugin = "akka.persistence.journal.sql"
            sql {
              connection-string = "{{Escape(connectionString)}}"
              provider-name = "{{provider}}"
              auto-initialize = true
            }
          }
          snapshot-store {
            plugin = "akka.persistence.snapshot-store.sql"
            sql {
              connection-string = "{{Escape(connectionString)}}"
              provider-name = "{{provider}}"
              auto-initialize = true
            }
          }
          query.journal.sql {
            connection-string = "{{Escape(connectionString)}}"
            provider-name = "{{provider}}"
          }
        }
        """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}

/// <summary>An embedded SQLite journal file, in WAL mode.</summary>
public sealed record SqliteJournal(string Path) : JournalConfig
{
    public string ConnectionString => $"Data Source={Path}";

    public override Config ToHocon() => Build(ConnectionString, "SQLite.MS");

    public override void Verify()
    {
        try
        {
            var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            using var connection = new SqliteConnection(ConnectionString);
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            pragma.ExecuteNonQuery();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Cannot open the run journal {Path}: {e.Message}. Check that the run folder is writable, or choose another with --runs-dir.", e);
        }
    }
}

/// <summary>A PostgreSQL journal: one database for every run (and clusters), each run under its own persistence id.</summary>
public sealed record PostgresJournal(string ConnectionString) : JournalConfig
{
    /// <summary>Keeps the password out of logs and messages.</summary>
    public override string ToString() => $"PostgresJournal {{ {new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }} }}";

    public override Config ToHocon() => Build(ConnectionString, "PostgreSQL.15");

    public override void Verify()
    {
        try
        {
            using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
            connection.Open();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or ArgumentException or TimeoutException)
        {
            var safe = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Password = null };
            throw new InvalidOperationException(
                $"Cannot reach the PostgreSQL journal ({safe}): {e.Message}. Check the dash.persistence.postgres settings and that the server is running.", e);
        }
    }
}
