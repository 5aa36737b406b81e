// Recognises failures caused by the disk (full, read-only) and checks a run folder has room before any work.
using Microsoft.Data.Sqlite;

namespace Dash.Actors.Persistence;

/// <summary>A run folder's file system cannot take the run's writes: the message names the path and what to do.</summary>
public sealed class DiskFullException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Failures a user fixes on their disk, not bugs: no space left (ENOSPC, SQLITE_FULL, PostgreSQL's disk_full) or a
/// read-only file system (EROFS, SQLITE_READONLY). A run that meets one stops at once with one line; restarting the
/// coordinator would meet it again.
/// </summary>
public static class DiskFault
{
    /// <summary>
    /// The free space a run folder needs before a run starts: SQLite's write-ahead log alone grows to about 4 MiB
    /// (1000 pages) before it is folded back into journal.db, and the metrics files and dash.log grow beside it.
    /// </summary>
    public const long Headroom = 8L << 20;

    private const int SqliteFull = 13, SqliteReadOnly = 8, SqliteIoErr = 10;
    private const int Enospc = 28, Erofs = 30, Edquot = 122;

    /// <summary>What is wrong with the disk in <paramref name="e"/> ("no space is left", "the file system is read-only"),
    /// or null when the failure has another cause.</summary>
    public static string? Describe(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DiskFullException:
                    return "no space is left";
                case SqliteException { SqliteErrorCode: SqliteFull }:
                    return "no space is left";
                case SqliteException { SqliteErrorCode: SqliteReadOnly }:
                    return "the file system is read-only";
                case SqliteException { SqliteErrorCode: SqliteIoErr } s when Says(s, out var what):
                    return what;
                case Npgsql.PostgresException { SqlState: "53100" }:
                    return "no space is left on the PostgreSQL server";
                case Npgsql.PostgresException { SqlState: "25006" }:
                    return "the PostgreSQL server is read-only";
                case IOException { HResult: Enospc or Edquot }:
                    return "no space is left";
                case IOException { HResult: Erofs }:
                    return "the file system is read-only";
                case IOException or UnauthorizedAccessException when Says(e, out var what):
                    return what;
            }
        }
        return null;
    }

    private static bool Says(Exception e, out string what)
    {
        what = e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("disk is full", StringComparison.OrdinalIgnoreCase)
               || e.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase)
               || e.Message.Contains("quota exceeded", StringComparison.OrdinalIgnoreCase)
            ? "no space is left"
            : e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) ? "the file system is read-only" : "";
        return what.Length > 0;
    }

    /// <summary>What to do about <paramref name="what"/> on the file system holding <paramref name="path"/>.</summary>
    public static string Advice(string what, string path) => what.Contains("read-only", StringComparison.Ordinal)
        ? $"Make {path} writable, or choose another folder with --runs-dir"
        : $"Free space on the disk holding {path} (dash needs {Headroom >> 20} MiB there), or choose another folder with --runs-dir";

    /// <summary>
    /// Throws <see cref="DiskFullException"/> naming <paramref name="folder"/> when its file system cannot take
    /// <see cref="Headroom"/> more bytes (checked by reserving them in a temporary file, which also honours quotas).
    /// </summary>
    public static void RequireRoom(string folder)
    {
        var probe = Path.Combine(folder, $".space-probe-{Environment.ProcessId}");
        try
        {
            // A preallocation size reserves the bytes (posix_fallocate) or fails at once with ENOSPC.
            using (new FileStream(probe, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, PreallocationSize = Headroom }))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && Describe(e) is { } what)
        {
            var state = what.Contains("read-only", StringComparison.Ordinal) ? what
                : FreeBytes(folder) is { } free ? $"only {free >> 10} KiB are free" : what;
            throw new DiskFullException($"the run folder {folder} cannot take the run's writes: {state}. {Advice(what, folder)}; " +
                                        "nothing was changed, and running the same command then starts or resumes the run.", e);
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (IOException)
            {
                // Nothing was created.
            }
        }
    }

    private static long? FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
