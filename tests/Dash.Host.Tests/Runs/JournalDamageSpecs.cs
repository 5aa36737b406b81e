// A damaged run journal (edited SQLite file) is one line naming the file and what to do, in seconds; other runs stay readable.
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Dash.Host.Tests.Runs;

public sealed class JournalDamageSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public JournalDamageSpecs()
    {
        Assert.Equal(0, _runs.Train("broken", 2).ExitCode);
        Assert.Equal(0, _runs.Train("healthy", 1).ExitCode);
        // As after a dash process exits: no pooled connection left, the write-ahead log folded into journal.db.
        SqliteConnection.ClearAllPools();
        Sql("PRAGMA wal_checkpoint(TRUNCATE)");
        SqliteConnection.ClearAllPools();
    }

    public void Dispose() => _runs.Dispose();

    private string Journal => Path.Combine(_runs.Run("broken"), "journal.db");

    private void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Journal};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Asserts that <paramref name="r"/> is a quick, one-line refusal naming the journal.</summary>
    private static void AssertOneLineStop(CliResult r, Stopwatch clock, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("journal.db", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("writable", line, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    private void AssertStops(string expected)
    {
        var clock = Stopwatch.StartNew();
        AssertOneLineStop(_runs.Runs("show", "broken"), clock, expected);
        clock.Restart();
        AssertOneLineStop(_runs.Train("broken", 3), clock, expected);
        var list = _runs.Runs("list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(list.Out.Split('\n'), l => l.StartsWith("healthy", StringComparison.Ordinal) && l.Contains("finished", StringComparison.Ordinal));
        Assert.Contains(list.Out.Split('\n'), l => l.StartsWith("broken ", StringComparison.Ordinal) && l.Contains(" damaged ", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_stop_on_a_truncated_journal()
    {
        var bytes = File.ReadAllBytes(Journal);
        File.WriteAllBytes(Journal, bytes[..(bytes.Length / 2)]);
        AssertStops("Restore");
    }

    [Fact]
    public void Should_stop_on_a_zero_length_journal()
    {
        File.WriteAllBytes(Journal, []);
        AssertStops("empty");
    }

    [Fact]
    public void Should_stop_on_a_corrupt_event()
    {
        Sql("UPDATE journal SET message = X'7B22537465' WHERE sequence_number = 3");
        AssertStops("#3");
    }

    [Fact]
    public void Should_stop_on_a_missing_event()
    {
        Sql("DELETE FROM journal WHERE sequence_number = 3");
        AssertStops("#3");
    }

    [Fact]
    public void Should_replay_the_events_when_the_snapshot_is_damaged()
    {
        Sql("INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) VALUES ('run-broken', 4, 0, X'7B7B', 'run-state.v1', 7302)");

        var resumed = _runs.Train("broken", 3);

        Assert.True(resumed.ExitCode == 0, resumed.Err);
        var steps = TinyRuns.Steps(Path.Combine(_runs.Run("broken"), "metrics.csv"));
        Assert.Equal(3, steps.Length);
        Assert.Equal(3, steps.Distinct().Count());
        Assert.Contains("3 committed steps", _runs.Runs("show", "broken").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_show_a_damaged_journal_in_one_line_without_akka_log_lines_from_a_real_process()
    {
        Sql("UPDATE journal SET message = X'7B22537465' WHERE sequence_number = 3");

        var show = Crash.DashProcess.Run(["runs", "show", "broken", "--runs-dir", _runs.Dir], _runs.Dir, kill: null, delayMs: 0);

        Assert.Equal(2, show.ExitCode);
        Assert.Contains("journal.db", Assert.Single(show.Error.Trim().Split('\n')), StringComparison.Ordinal);
        var terminal = string.Join('\n', show.Lines) + "\n" + show.Error;
        Assert.DoesNotContain("[ERROR]", terminal, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", terminal, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", terminal, StringComparison.Ordinal);
    }
}
