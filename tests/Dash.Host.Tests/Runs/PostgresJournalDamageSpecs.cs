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

    /// <summary>Every file under a run folder with its bytes' SHA-256 (but SQLite's shared-memory index, which any reader rewrites).</summary>
    private string[] Tree(string id) => [.. Directory.GetFiles(_runs.Run(id), "*", SearchOption.AllDirectories)
        .Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
        .Select(f => Path.GetRelativePath(_runs.Dir, f) + "=" + Dash.Actors.Persistence.CheckpointStore.Sha256Of(f))];

    [Fact]
    public void Should_refuse_to_train_a_SQLite_run_again_from_step_0_with_the_PostgreSQL_journal()
    {
        Assert.Equal(0, _runs.Train("lite", 2).ExitCode);
        AssertRefusedUnchanged("lite", _postgres, "journaled in SQLite", "new --run-id");
    }

    [Fact]
    public void Should_refuse_to_train_a_PostgreSQL_run_again_from_step_0_with_the_SQLite_journal()
    {
        AssertRefusedUnchanged("pgbroken", [], "holds checkpoints", "dash.persistence.journal");
    }

    /// <summary>Training run <paramref name="id"/> again with <paramref name="sets"/> is one line saying each of
    /// <paramref name="said"/>, exit 2, and leaves its folder byte for byte as it was.</summary>
    private void AssertRefusedUnchanged(string id, string[] sets, params string[] said)
    {
        var before = Tree(id);

        var refused = _runs.Train(id, 2, 0, sets);

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var text in said) Assert.Contains(text, line, StringComparison.Ordinal);
        Assert.Equal(before, Tree(id));
    }

    [Fact]
    public void Should_list_every_run_when_a_PostgreSQL_journal_is_not_configured_here()
    {
        Assert.Equal(0, _runs.Train("lite", 1).ExitCode);
        File.Delete(Path.Combine(_runs.Dir, "pg.txt")); // the connection string pgbroken's config.conf names

        var list = _runs.Runs("list");

        Assert.True(list.ExitCode == 0, list.Err);
        var lines = list.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("lite ", StringComparison.Ordinal) && l.Contains(" finished ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("pgbroken ", StringComparison.Ordinal) && l.Contains(" unknown ", StringComparison.Ordinal)
                                    && l.Contains("connection-string-file", StringComparison.Ordinal));
    }
}
