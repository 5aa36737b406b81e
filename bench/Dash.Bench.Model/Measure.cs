// Timing and memory helpers: median of repeats, and peak RSS polled while a configuration runs.
using System.Diagnostics;

namespace Dash.Bench.Model;

internal static class Measure
{
    /// <summary>
    /// The least warm-up per configuration. .NET compiles a method first without optimisation and recompiles it once it
    /// has run 30 times (tiered compilation, in the background); one warm-up run of a batch-1 generation (~0.1 s) ended
    /// before that, so the timed runs partly ran unoptimised code, which a long training run never does.
    /// </summary>
    public const double WarmUpSeconds = 1.0;

    /// <summary>Runs <paramref name="action"/> to warm up (at least once and for at least <see cref="WarmUpSeconds"/>),
    /// then <paramref name="repeats"/> times; median seconds. On a GPU each timing waits for the queued kernels to finish.</summary>
    public static double MedianSeconds(int repeats, TorchSharp.torch.Device device, Action action)
    {
        void Run()
        {
            action();
            if (device.type == TorchSharp.DeviceType.CUDA) TorchSharp.torch.cuda.synchronize();
        }
        var warmUp = Stopwatch.StartNew();
        do Run(); while (warmUp.Elapsed.TotalSeconds < WarmUpSeconds);
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            Run();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Current resident set size in MiB (Linux /proc/self/statm; NaN elsewhere).</summary>
    public static double RssMiB()
    {
        const string statm = "/proc/self/statm";
        if (!File.Exists(statm)) return double.NaN;
        var pages = long.Parse(File.ReadAllText(statm).Split(' ')[1]);
        return pages * Environment.SystemPageSize / (1024.0 * 1024.0);
    }
}

/// <summary>
/// Polls RSS every 10 ms on a background thread and keeps the maximum, so each configuration gets its own peak
/// (the kernel's VmHWM cannot be reset inside this VM).
/// </summary>
internal sealed class PeakRss : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private double _peak;

    public PeakRss()
    {
        _peak = Measure.RssMiB();
        _thread = new Thread(Poll) { IsBackground = true, Name = "peak-rss" };
        _thread.Start();
    }

    public double PeakMiB
    {
        get
        {
            lock (_thread) return Math.Max(_peak, Measure.RssMiB());
        }
    }

    private void Poll()
    {
        while (!_stop)
        {
            var now = Measure.RssMiB();
            lock (_thread) _peak = Math.Max(_peak, now);
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
