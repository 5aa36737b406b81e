// Before a run starts: sums each device's estimated memory, refuses in one line what does not fit, reports the rest.
using Dash.Actors.Settings;
using TorchSharp;

namespace Dash.Actors.Engines.Torch;

public static class MemoryCheck
{
    /// <summary>What each process keeps on a CUDA device it uses besides its tensors (the CUDA context and allocator slack).</summary>
    public const long CudaContextBytes = 512L << 20;

    /// <summary>
    /// One line per device: what its actors need against what it has free. Throws a <see cref="SettingsException"/> (one
    /// line naming the biggest parts and the settings that shrink them) when a device's need exceeds its free memory,
    /// unless <paramref name="enforce"/> is off. A device whose free memory is unknown is reported, not checked.
    /// </summary>
    public static IReadOnlyList<string> Run(IReadOnlyList<MemoryNeed> needs, IDeviceInventory devices, bool enforce)
    {
        var lines = new List<string>();
        foreach (var group in needs.GroupBy(n => n.Actor.Device))
        {
            var device = group.Key;
            var parts = group.SelectMany(n => n.Parts).GroupBy(p => p.Name)
                .Select(g => new MemoryPart(g.Key, g.Sum(p => p.Bytes), g.First().Lower)).OrderByDescending(p => p.Bytes).ToArray();
            var need = parts.Sum(p => p.Bytes) + (device.Type == DeviceType.CUDA ? CudaContextBytes : 0);
            var free = devices.AvailableBytes(device);
            var actors = string.Join(", ", group.Select(n => n.Actor.Actor));
            if (free is null)
            {
                lines.Add($"memory: {device} needs ~{Size(need)} ({actors}); its free memory is unknown, not checked.");
                continue;
            }
            if (need > free && enforce)
            {
                throw new SettingsException(
                    $"memory check: {device} needs ~{Size(need)} for {actors} ({string.Join(", ", parts.Take(3).Select(p => $"{p.Name} {Size(p.Bytes)}"))}) " +
                    $"but has {Size(free.Value)} free. Lower {parts[0].Lower}; or spread the actors over more devices (dash.sampling.devices, dash.learning.device); " +
                    "or set dash.model.memory-check = off to start anyway.");
            }
            lines.Add($"memory: {device} needs ~{Size(need)} of {Size(free.Value)} free ({actors})" + (need > free ? "; over, but dash.model.memory-check = off." : "."));
        }
        return lines;
    }

    /// <summary>The start-up report: one line per model-owning actor (device and estimate), then one per device.</summary>
    public static IReadOnlyList<string> Report(DashSettings settings, Dash.Model.Config.ModelConfig model, HostedRoles roles, IDeviceInventory devices)
    {
        var placement = DevicePlacement.Plan(settings, roles).Check(devices, settings.Sampling.ExclusiveDevices);
        var needs = MemoryEstimate.For(placement, settings, model);
        var actors = needs.Select(n => $"{n.Actor.Actor} on {n.Actor.Device} ({n.Actor.Key}): ~{Size(n.Bytes)} " +
                                       $"({string.Join(", ", n.Parts.Select(p => $"{p.Name} {Size(p.Bytes)}"))})");
        return [.. actors, .. Run(needs, devices, settings.Model.MemoryCheck)];
    }

    /// <summary>Bytes as B, KiB, MiB or GiB with one decimal.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1L << 10 => $"{bytes} B",
        < 1L << 20 => FormattableString.Invariant($"{bytes / 1024.0:0.0} KiB"),
        < 1L << 30 => FormattableString.Invariant($"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => FormattableString.Invariant($"{bytes / (1024.0 * 1024 * 1024):0.0} GiB"),
    };
}
