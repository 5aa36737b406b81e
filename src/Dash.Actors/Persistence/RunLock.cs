// One writer per run: an exclusive lock on the run folder (and, for PostgreSQL journals, an advisory lock on the run id).
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dash.Actors.Persistence;

/// <summary>Another process holds the run: the message names it (pid, host, start time).</summary>
public sealed class RunLockedException(string message) : Exception(message);

/// <summary>
/// Held by the one process that writes a run, for as long as it runs: an exclusive lock on <c>run.lock</c> in the run
/// folder (the kernel releases it when the process dies, however it dies, so a stale lock is simply free again), with
/// the holder's pid, host and start time in <c>run.holder</c>. With a PostgreSQL journal it also holds a session
/// advisory lock keyed by the run id, so writers on other machines are refused too.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string LockFile = "run.lock";
    public const string HolderFile = "run.holder";

    private readonly FileStream _file;
    private readonly Npgsql.NpgsqlConnection? _advisory;
    private readonly long _key;

    private RunLock(FileStream file, Npgsql.NpgsqlConnection? advisory, long key)
    {
        _file = file;
        _advisory = advisory;
        _key = key;
    }

    /// <summary>
    /// Takes the run's lock, waiting up to <paramref name="wait"/> for its holder to end (a standby coordinator waits;
    /// a plain start does not), else throws <see cref="RunLockedException"/> naming the holder.
    /// </summary>
    public static RunLock Acquire(RunFolder folder, JournalConfig journal, TimeSpan wait = default)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return TryAcquire(folder, journal);
            }
            catch (RunLockedException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static RunLock TryAcquire(RunFolder folder, JournalConfig journal)
    {
        Directory.CreateDirectory(folder.Path);
        FileStream? locked;
        try
        {
            locked = TryLock(folder);
        }
        catch (IOException e) when (DiskFault.Describe(e) is { } what)
        {
            var where = Path.GetFullPath(folder.Path);
            throw new DiskFullException($"the run folder {where} cannot be written ({LockFile}): {what}. {DiskFault.Advice(what, where)}.", e);
        }
        var file = locked ?? throw Locked(folder);
        Npgsql.NpgsqlConnection? advisory = null;
        try
        {
            if (journal is PostgresJournal pg) advisory = TryAdvisory(pg, folder.Id) ?? throw Locked(folder, "a process on another machine (PostgreSQL advisory lock)");
            File.WriteAllText(Path.Combine(folder.Path, HolderFile),
                string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} on {Environment.MachineName}, started {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\n"));
            return new RunLock(file, advisory, Key(folder.Id));
        }
        catch (IOException e) when (DiskFault.Describe(e) is { } what && e is not DiskFullException)
        {
            advisory?.Dispose();
            file.Dispose();
            var where = Path.GetFullPath(folder.Path);
            throw new DiskFullException($"the run folder {where} cannot be written ({HolderFile}): {what}. {DiskFault.Advice(what, where)}.", e);
        }
        catch
        {
            advisory?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Throws <see cref="RunLockedException"/> naming the holder when another process holds the run now.</summary>
    public static void RefuseIfHeld(RunFolder folder)
    {
        if (Holder(folder) is { } holder) throw Locked(folder, holder);
    }

    /// <summary>Who holds the run now, or null when nobody does (checked without keeping the lock).</summary>
    public static string? Holder(RunFolder folder)
    {
        if (!File.Exists(Path.Combine(folder.Path, LockFile))) return null;
        try
        {
            using var probe = TryLock(folder);
            return probe is null ? HolderText(folder) : null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException || e is IOException && DiskFault.Describe(e) is not null)
        {
            return null; // A read-only runs folder (or file system): nobody writes there.
        }
    }

    public void Dispose()
    {
        if (_advisory is not null)
        {
            // Unlocked before the session closes: the server ends a closed session's backend (and so frees its locks) only
            // after the client has moved on, so another machine asking at once could still find the lock held.
            try
            {
                using var command = _advisory.CreateCommand();
                command.CommandText = "SELECT pg_advisory_unlock(@key)";
                command.Parameters.AddWithValue("key", _key);
                command.ExecuteScalar();
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                // The session is already broken: the server drops it, and its lock with it.
            }
            _advisory.Dispose();
        }
        _file.Dispose();
    }

    private static FileStream? TryLock(RunFolder folder)
    {
        try
        {
            // FileShare.None is an exclusive flock on Unix (and a sharing lock on Windows): one holder at a time.
            return new FileStream(Path.Combine(folder.Path, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (DiskFault.Describe(e) is null)
        {
            return null; // Held by another process. A read-only or full file system is no holder: the caller says what it is.
        }
    }

    private static Npgsql.NpgsqlConnection? TryAdvisory(PostgresJournal journal, string runId)
    {
        // A session of its own, outside Npgsql's pool: a pooled connection's Dispose only returns it to the pool, and
        // the session (with its advisory lock) lived on until the pool next reused it, so a standby waited on a
        // finished holder for as long as that took.
        var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(journal.ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pg_try_advisory_lock(@key)";
        command.Parameters.AddWithValue("key", Key(runId));
        if (command.ExecuteScalar() is true) return connection;
        connection.Dispose();
        return null;
    }

    /// <summary>The advisory lock key of a run: the first 8 bytes of SHA-256("dash-run:" + id).</summary>
    public static long Key(string runId) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("dash-run:" + runId)), 0);

    private static string HolderText(RunFolder folder)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(folder.Path, HolderFile)).Trim();
            return text.Length > 0 ? text : "another process";
        }
        catch (IOException)
        {
            return "another process";
        }
    }

    private static RunLockedException Locked(RunFolder folder, string? holder = null) => new(
        $"run {folder.Id} is being written by {holder ?? HolderText(folder)} (lock {Path.Combine(folder.Path, LockFile)}). " +
        "Wait for it to finish or stop it, or use another --run-id.");
}
