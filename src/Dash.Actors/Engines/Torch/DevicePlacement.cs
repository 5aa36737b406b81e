// Which device each model-owning actor of this process gets, and the refusals of placements this node cannot hold.
using Dash.Actors.Settings;
using Dash.Model.Runtime;
using TorchSharp;

namespace Dash.Actors.Engines.Torch;

/// <summary>The model-owning roles one process hosts: <c>dash train</c> all of them, a <c>dash node</c> its roles' only.</summary>
[Flags]
public enum HostedRoles
{
    None = 0,
    Samplers = 1,
    Learner = 2,
    All = Samplers | Learner,
}

/// <summary>One model-owning actor and its device; <paramref name="Key"/> is the setting that put it there.</summary>
public sealed record ActorDevice(string Actor, DeviceSpec Device, string Key)
{
    public bool IsSampler => Actor.StartsWith("sampler-", StringComparison.Ordinal);

    /// <summary>Whether this is an actor of its own: the KL reference model runs inside the learner's actor, on its thread.</summary>
    public bool HasOwnActor => Actor != "reference";
}

/// <summary>
/// Per-role placement: sampler i runs on <c>dash.sampling.devices[i mod n]</c>, the learner on <c>dash.learning.device</c>,
/// the KL reference on <c>dash.learning.reference-device</c> (else the learner's); every one defaults to <c>dash.model.device</c>.
/// </summary>
public sealed record DevicePlacement(IReadOnlyList<ActorDevice> Actors)
{
    /// <summary>Listed sampler devices no sampler of this process takes (fewer samplers than entries): checked all the same.</summary>
    public IReadOnlyList<ActorDevice> Unused { get; init; } = [];

    /// <summary>Sampler <paramref name="id"/>'s device and the key that names it.</summary>
    public static ActorDevice Sampler(DashSettings s, int id)
    {
        var list = s.Sampling.Devices;
        return list.Length == 0
            ? new ActorDevice($"sampler-{id}", DeviceSpec.Parse(s.Model.Device), "dash.model.device")
            : new ActorDevice($"sampler-{id}", DeviceSpec.Parse(list[id % list.Length]), $"dash.sampling.devices[{id % list.Length}]");
    }

    public static ActorDevice Learner(DashSettings s) => s.Learning.Device.Length > 0
        ? new ActorDevice("learner", DeviceSpec.Parse(s.Learning.Device), "dash.learning.device")
        : new ActorDevice("learner", DeviceSpec.Parse(s.Model.Device), "dash.model.device");

    public static ActorDevice Reference(DashSettings s) => s.Learning.ReferenceDevice.Length > 0
        ? new ActorDevice("reference", DeviceSpec.Parse(s.Learning.ReferenceDevice), "dash.learning.reference-device")
        : Learner(s) with { Actor = "reference" };

    /// <summary>Whether the learner keeps a frozen reference model (the KL penalty is on).</summary>
    public static bool HasReference(DashSettings s) => s.Learning.KlBeta > 0 && s.Learning.Mode == LearningMode.Rl;

    /// <summary>The actors a process hosting <paramref name="roles"/> creates, each with its device.</summary>
    public static DevicePlacement Plan(DashSettings s, HostedRoles roles)
    {
        var actors = new List<ActorDevice>();
        var unused = new List<ActorDevice>();
        if (roles.HasFlag(HostedRoles.Samplers))
        {
            for (var i = 0; i < s.Sampling.Samplers; i++) actors.Add(Sampler(s, i));
            for (var i = s.Sampling.Samplers; i < s.Sampling.Devices.Length; i++) unused.Add(Sampler(s, i) with { Actor = "unused" });
        }
        if (roles.HasFlag(HostedRoles.Learner))
        {
            actors.Add(Learner(s));
            if (HasReference(s)) actors.Add(Reference(s));
        }
        return new DevicePlacement(actors) { Unused = unused };
    }

    /// <summary>
    /// Refuses, in one line naming the setting, a CUDA device this node lacks (or any, on a CPU-only build or machine),
    /// and, with <paramref name="exclusive"/>, a learner or reference on a device one of this process's samplers holds.
    /// </summary>
    public DevicePlacement Check(IDeviceInventory devices, bool exclusive)
    {
        foreach (var a in Actors.Concat(Unused).Where(a => a.Device.Type == DeviceType.CUDA).DistinctBy(a => a.Key))
        {
            var count = devices.CudaDevices;
            if (count == 0) throw new SettingsException($"{a.Key} = \"{a.Device}\" but CUDA is not available: {devices.NoCudaReason}");
            if (a.Device.Index >= count)
                throw new SettingsException($"{a.Key} = \"{a.Device}\" but this node has {count} CUDA device(s) (cuda:0..cuda:{count - 1}): " +
                                            "name one of those, or run this actor on another node.");
        }
        if (!exclusive) return this;
        var samplerDevices = Actors.Where(a => a.IsSampler).Select(a => a.Device).ToHashSet();
        if (Actors.FirstOrDefault(a => !a.IsSampler && samplerDevices.Contains(a.Device)) is { } shared)
            throw new SettingsException(
                $"dash.sampling.exclusive-devices = on but the {shared.Actor} ({shared.Key} = \"{shared.Device}\") would share {shared.Device} with a sampler: " +
                "give it a device that dash.sampling.devices does not list, or set exclusive-devices = off.");
        return this;
    }
}
