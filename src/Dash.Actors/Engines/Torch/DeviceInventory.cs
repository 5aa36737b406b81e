// What devices a node has and how much memory each can still give: the real node, or a described one for specs.
using System.Diagnostics;
using System.Globalization;
using Dash.Model.Runtime;
using TorchSharp;

namespace Dash.Actors.Engines.Torch;

/// <summary>The devices of the node a process runs on. Injectable, so placement and the memory check run in specs on a CPU.</summary>
public interface IDeviceInventory
{
    /// <summary>CUDA devices this build and machine can use (0 on a CPU-only build or a machine without a GPU).</summary>
    int CudaDevices { get; }

    /// <summary>Why there is no CUDA here and what to do (shown when a CUDA device is asked for).</summary>
    string NoCudaReason { get; }

    /// <summary>Bytes new allocations can take on the device now (CPU: the kernel's MemAvailable); null when unknown.</summary>
    long? AvailableBytes(DeviceSpec device);
}

/// <summary>A described node: <paramref name="CpuAvailable"/> bytes of RAM and one entry of free bytes per GPU.</summary>
public sealed record FixedDevices(long CpuAvailable, params long[] CudaFree) : IDeviceInventory
{
    public int CudaDevices => CudaFree.Length;

    public string NoCudaReason => "this node has no CUDA device; set the device to cpu.";

    public long? AvailableBytes(DeviceSpec device) => device.Type == DeviceType.CPU ? CpuAvailable : CudaFree[device.Index];
}

/// <summary>This machine: CUDA through libtorch, RAM from /proc/meminfo, free GPU memory from nvidia-smi.</summary>
public sealed class LocalDevices : IDeviceInventory
{
    public static LocalDevices Instance { get; } = new();

    private readonly Lazy<int> _cuda = new(() => torch.cuda.is_available() ? torch.cuda.device_count() : 0);
    private readonly Lazy<string?> _smi = new(QueryNvidiaSmi);

    private LocalDevices()
    {
    }

    public int CudaDevices => _cuda.Value;

    public string NoCudaReason => NativeRuntime.ExternalLibTorch
        ? "the libtorch on LD_LIBRARY_PATH has no CUDA support or the machine has no usable GPU (check `nvidia-smi` and that " +
          "python3 -c \"import torch; print(torch.cuda.is_available())\" prints True), or set the device to cpu."
        : "this build uses the CPU-only TorchSharp package or the machine has no usable GPU. On a CUDA machine build with " +
          "-p:DashExternalLibTorch=true (uses an installed PyTorch's libtorch) or -p:DashCuda=true (see README, GPU), or set the device to cpu.";

    public long? AvailableBytes(DeviceSpec device)
    {
        if (device.Type == DeviceType.CPU)
            return File.Exists("/proc/meminfo") ? MemAvailable(File.ReadAllText("/proc/meminfo")) : null;
        return _smi.Value is { } csv ? GpuFree(csv, device.Index, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")) : null;
    }

    /// <summary>MemAvailable of a /proc/meminfo text, in bytes; null when the line is missing.</summary>
    public static long? MemAvailable(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            var parts = line["MemAvailable:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)) return kib * 1024;
        }
        return null;
    }

    /// <summary>
    /// Free bytes of CUDA device <paramref name="index"/> from <c>nvidia-smi --query-gpu=index,uuid,memory.free</c> lines
    /// (MiB); <paramref name="visible"/> is CUDA_VISIBLE_DEVICES, which renumbers the devices a process sees.
    /// </summary>
    public static long? GpuFree(string csv, int index, string? visible)
    {
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(',', StringSplitOptions.TrimEntries)).Where(r => r.Length == 3).ToArray();
        var ids = string.IsNullOrWhiteSpace(visible) ? null : visible.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string[]? row;
        if (ids is null) row = index < rows.Length ? rows[index] : null;
        else if (index >= ids.Length) row = null;
        else row = rows.FirstOrDefault(r => r[0] == ids[index] || r[1].StartsWith(ids[index], StringComparison.Ordinal));
        return row is not null && long.TryParse(row[2], NumberStyles.None, CultureInfo.InvariantCulture, out var mib) ? mib * 1024 * 1024 : null;
    }

    private static string? QueryNvidiaSmi()
    {
        try
        {
            using var smi = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=index,uuid,memory.free --format=csv,noheader,nounits")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (smi is null) return null;
            var output = smi.StandardOutput.ReadToEndAsync();
            if (!smi.WaitForExit(10_000) || smi.ExitCode != 0) return null;
            return output.Result;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // No nvidia-smi on this machine: free GPU memory is unknown.
        }
    }
}
