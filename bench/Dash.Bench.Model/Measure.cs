// Timing and memory helpers: median of repeats, peak RSS (VmHWM) reset per configuration.
using System.Diagnostics;

namespace Dash.Bench.Model;

internal static class Measure
{
    /// <summary>Runs <paramref name="action"/> once to warm up, then <paramref name="repeats"/> times; median seconds.</summary>
    public static double MedianSeconds(int repeats, Action action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Resets the kernel's peak-RSS counter for this process (Linux: write 5 to /proc/self/clear_refs).</summary>
    public static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
            // Not Linux, or not permitted: the peak then covers the whole run so far.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Peak resident set size since the last reset, in MiB.</summary>
    public static double PeakRssMiB()
    {
        if (!File.Exists("/proc/self/status")) return double.NaN;
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
