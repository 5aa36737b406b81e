// Which failures are the user's disk (full, read-only), and the free-space check that runs before any work.
using Dash.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace Dash.Actors.Tests.Persistence;

public sealed class DiskFaultSpecs
{
    public static TheoryData<Exception, string?> Failures => new()
    {
        { new IOException("No space left on device : '/r/run.holder'", 28), "no space is left" },
        { new SqliteException("SQLite Error 13: 'database or disk is full'.", 13), "no space is left" },
        { new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8), "the file system is read-only" },
        { new IOException("Read-only file system : '/r/journal.db-wal'", 30), "the file system is read-only" },
        { new InvalidOperationException("journal write failed", new IOException("No space left on device", 28)), "no space is left" },
        { new SqliteException("SQLite Error 19: 'UNIQUE constraint failed'.", 19), null },
        { new IOException("Connection reset by peer"), null },
        { new TimeoutException("Recovery timed out"), null },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Should_tell_the_disk_s_failures_from_other_causes(Exception failure, string? expected) =>
        Assert.Equal(expected, DiskFault.Describe(failure));

    [Fact]
    public void Should_leave_no_trace_of_its_free_space_check_on_a_disk_with_room()
    {
        var folder = Directory.CreateTempSubdirectory("dash-room-").FullName;
        try
        {
            DiskFault.RequireRoom(folder);

            Assert.Empty(Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
