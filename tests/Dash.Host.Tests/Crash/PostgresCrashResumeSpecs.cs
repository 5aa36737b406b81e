// The resume acceptance with dash.persistence.journal = postgres: a real dash train subprocess killed at random moments.
using Dash.Actors.Persistence;
using Dash.Actors.Tests.Persistence;
using Xunit.Abstractions;

namespace Dash.Host.Tests.Crash;

public sealed class PostgresCrashResumeSpecs(PostgresServer server, ITestOutputHelper output) : IClassFixture<PostgresServer>, IDisposable
{
    private const int Steps = 6;
    private const int WarmupSteps = 6;
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-pgcrash-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [Fact]
    public async Task Should_resume_a_killed_dash_train_journaling_to_postgres_to_the_bit_identical_result()
    {
        var (crashDir, referenceDir) = (Directory.CreateDirectory(Path.Combine(_dir, "crashed")).FullName, Directory.CreateDirectory(Path.Combine(_dir, "reference")).FullName);
        var (crashDb, referenceDb) = (server.NewDatabase(), server.NewDatabase()); // Same run ids, so one database each.
        var reference = Task.Run(() => DashProcess.Run(CrashLoop.TrainArgs(referenceDir, "pg", Steps, "persistence.journal=postgres"), referenceDir,
            kill: null, delayMs: 0, env: new Dictionary<string, string> { ["DASH_POSTGRES"] = referenceDb }));

        var secret = Path.Combine(_dir, "pg.txt"); // This run reads its connection string from a file, the reference from DASH_POSTGRES.
        File.WriteAllText(secret, crashDb);

        var attempts = CrashLoop.KillUntilDone(CrashLoop.TrainArgs(crashDir, "pg", Steps, "persistence.journal=postgres",
            "persistence.postgres.connection-string-env=\"\"", $"persistence.postgres.connection-string-file={secret}"), crashDir, seed: 15, kills: 5);

        foreach (var (at, delay, a) in attempts)
            output.WriteLine($"{at?.ToString() ?? "to the end"} +{delay} ms: exit {a.ExitCode} after {a.Elapsed.TotalSeconds:0.0} s, last line: {(a.Lines.Count > 0 ? a.Lines[^1] : "")}");
        Assert.Equal(0, (await reference).ExitCode);
        Assert.InRange(attempts.Count(a => a.Attempt.Killed), 4, int.MaxValue);
        Assert.False(File.Exists(Path.Combine(crashDir, "pg", "journal.db"))); // the journal is in PostgreSQL, not the run folder
        var warmup = Path.GetFileName(Assert.Single(Directory.GetDirectories(crashDir, "warmup-*")));
        foreach (var (id, steps) in new[] { (warmup, WarmupSteps), ("pg", Steps) })
            CrashLoop.AssertSameRun(new RunFolder(Path.Combine(crashDir, id)), // Finds its PostgreSQL journal through the run's config.conf.
                new RunFolder(Path.Combine(referenceDir, id), new PostgresJournal(referenceDb)), steps);
    }
}
