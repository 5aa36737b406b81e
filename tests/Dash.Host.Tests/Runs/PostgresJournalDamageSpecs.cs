// A damaged run journal in PostgreSQL (rows edited by SQL on the real server) is one line naming the run, the database
// and what to do, in seconds; `runs list` and `runs show` say the run is damaged.
using System.Diagnostics;
using Dash.Actors.Tests.Persistence;
using Npgsql;

namespace Dash.Host.Tests.Runs;

public sealed class PostgresJournalDamageSpecs : IClassFixture<PostgresServer>, IDisposable
{
    private readonly TinyRuns _runs = new();
    private readonly string _database;
    private readonly string[] _postgres;

    public PostgresJournalDamageSpecs(PostgresServer server)
    {
        _database = server.NewDatabase();
        var secret = Path.Combine(_runs.Dir, "pg.txt");
        File.WriteAllText(secret, _database);
        _postgres = ["persistence.journal=postgres", "persistence.postgres.connection-string-env=\"\"", $"persistence.postgres.connection-string-file={secret}"];
        var trained = _runs.Train("pgbroken", 2, 0, _postgres);
        Assert.True(trained.ExitCode == 0, trained.Err);
    }

    public void Dispose() => _runs.Dispose();

    private void Sql(string sql)
    {
        using var connection = new NpgsqlConnection(_database);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private static void AssertOneLineStop(CliResult r, Stopwatch clock, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("run pgbroken", line, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Contains("new --run-id", line, StringComparison.Ordinal); // What to do.
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    private void AssertStops(string expected)
    {
        var clock = Stopwatch.StartNew();
        var show = _runs.Runs("show", "pgbroken");
        AssertOneLineStop(show, clock, expected);
        Assert.Contains("damaged", show.Err, StringComparison.Ordinal);
        clock.Restart();
        AssertOneLineStop(_runs.Train("pgbroken", 3, 0, _postgres), clock, expected);
        var list = _runs.Runs("list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(list.Out.Split('\n'), l => l.StartsWith("pgbroken ", StringComparison.Ordinal) && l.Contains(" damaged ", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_stop_on_a_corrupt_event_payload()
    {
        Sql("UPDATE journal SET message = '\\x7b225374'::bytea WHERE persistence_id = 'run-pgbroken' AND sequence_number = 3");
        AssertStops("event #3");
    }

    [Fact]
    public void Should_stop_on_a_deleted_event()
    {
        Sql("DELETE FROM journal WHERE persistence_id = 'run-pgbroken' AND sequence_number = 2");
        AssertStops("missing event #2");
    }
}
