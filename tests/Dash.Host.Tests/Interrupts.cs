// Lets SIGINT reach the dash processes a spec starts, even when the tests themselves run with SIGINT ignored.
using System.Runtime.InteropServices;

namespace Dash.Host.Tests;

/// <summary>
/// A command started in the background by a non-interactive shell (<c>nohup ./test.sh &amp;</c>, a CI runner's script)
/// runs with SIGINT ignored, and so does every process it starts: the ignored disposition survives fork and exec, and
/// .NET keeps it (it installs no handler for an ignored SIGINT, as POSIX asks). A dash started from such a test host
/// never sees the spec's SIGINT, which is what a user's shell would do too; the spec is about dash's Ctrl-C, so the test
/// host puts SIGINT back to its default before starting dash. Three of this machine's own fresh-clone CI runs started
/// with <c>nohup .ci/run &amp;</c> failed so ("dash did not stop within 120 s of Ctrl-C").
/// </summary>
internal static class Interrupts
{
    private const int SigInt = 2;

    /// <summary>Whether SIGINT is ignored in this process (so in the processes it starts), read from /proc.</summary>
    public static bool Ignored(int pid = 0)
    {
        var status = $"/proc/{(pid == 0 ? "self" : pid.ToString(System.Globalization.CultureInfo.InvariantCulture))}/status";
        if (!File.Exists(status)) return false;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }

    /// <summary>Makes SIGINT's disposition the default again if it is ignored, so dash processes started after this get it.</summary>
    public static void Deliver()
    {
        if (OperatingSystem.IsWindows() || !Ignored()) return;
        _ = Signal(SigInt, IntPtr.Zero); // SIG_DFL. Only children started from now on are affected: .NET handles nothing here.
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int signum, IntPtr handler);
}
