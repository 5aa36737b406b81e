// One writer per run: the run-folder lock and, for PostgreSQL journals, the advisory lock keyed by the run id.
using Dash.Actors.Persistence;

namespace Dash.Actors.Tests.Persistence;

public sealed class RunLockSpecs(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly RunHarness _h = new();

    public void Dispose() => _h.Dispose();

    private RunFolder Folder(string machine, string id) => new(Path.Combine(_h.Dir, machine, id));

    [Fact]
    public void Should_refuse_a_second_holder_naming_the_first_and_free_the_lock_when_it_ends()
    {
        var folder = Folder("here", "run");
        var journal = new SqliteJournal(folder.Journal);
        var first = RunLock.Acquire(folder, journal);

        var refused = Assert.Throws<RunLockedException>(() => RunLock.Acquire(folder, journal));
        Assert.Contains($"pid {Environment.ProcessId} on {Environment.MachineName}", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(RunLock.Holder(folder));

        first.Dispose();
        Assert.Null(RunLock.Holder(folder));
        using var second = RunLock.Acquire(folder, journal);
    }

    [Fact]
    public void Should_wait_for_the_holder_when_asked_to()
    {
        var folder = Folder("here", "standby");
        var journal = new SqliteJournal(folder.Journal);
        var first = RunLock.Acquire(folder, journal);
        _ = Task.Delay(500).ContinueWith(_ => first.Dispose(), TaskScheduler.Default);

        using var second = RunLock.Acquire(folder, journal, TimeSpan.FromSeconds(30));

        Assert.NotNull(RunLock.Holder(folder)); // held by the second lock now
    }

    [Fact]
    public void Should_refuse_a_writer_of_the_same_postgres_run_from_another_run_folder()
    {
        var journal = new PostgresJournal(server.NewDatabase());
        using var first = RunLock.Acquire(Folder("machine-a", "shared"), journal);

        var refused = Assert.Throws<RunLockedException>(() => RunLock.Acquire(Folder("machine-b", "shared"), journal));

        Assert.Contains("advisory lock", refused.Message, StringComparison.Ordinal);
        using var other = RunLock.Acquire(Folder("machine-b", "other"), journal); // other runs are not held
    }

    [Fact]
    public void Should_release_the_postgres_advisory_lock_when_disposed_not_when_its_pooled_connection_is_next_used()
    {
        var database = server.NewDatabase();
        var first = RunLock.Acquire(Folder("machine-a", "released"), new PostgresJournal(database));
        first.Dispose();

        // Another machine's view: its own session asks for the same key.
        using var other = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        other.Open();
        using var command = other.CreateCommand();
        command.CommandText = "SELECT pg_try_advisory_lock(@key)";
        command.Parameters.AddWithValue("key", RunLock.Key("released"));
        Assert.True(command.ExecuteScalar() is true, "the disposed lock's session still holds the advisory lock");
    }
}
