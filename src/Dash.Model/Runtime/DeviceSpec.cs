// Parses and validates the `device` setting (cpu, cuda, cuda:N) used wherever Dash creates tensors.
using TorchSharp;

namespace Dash.Model.Runtime;

/// <summary>A compute device named as in configuration: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
public sealed record DeviceSpec(DeviceType Type, int Index)
{
    public static readonly DeviceSpec Cpu = new(DeviceType.CPU, -1);

    /// <summary>Parses a device name; <paramref name="key"/> names the setting in error messages.</summary>
    public static DeviceSpec Parse(string text, string key = "device")
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "cuda") return new DeviceSpec(DeviceType.CUDA, 0);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(s.AsSpan(5), System.Globalization.NumberStyles.None, null, out var index))
            return new DeviceSpec(DeviceType.CUDA, index);
        throw new ArgumentException($"{key} = \"{text}\" is not a device: use cpu, cuda or cuda:N (for example cuda:0).");
    }

    /// <summary>The TorchSharp device; fails clearly when CUDA is asked for but this build or machine lacks it.</summary>
    public torch.Device ToTorch(string key = "device")
    {
        if (Type == DeviceType.CPU) return torch.CPU;
        if (!torch.cuda.is_available())
            throw new ArgumentException(
                $"{key} = \"{this}\" but CUDA is not available: " + (NativeRuntime.ExternalLibTorch
                    ? "the libtorch on LD_LIBRARY_PATH has no CUDA support or the machine has no usable GPU (check `nvidia-smi` " +
                      "and that python3 -c \"import torch; print(torch.cuda.is_available())\" prints True), or set device = cpu."
                    : "this build uses the CPU-only TorchSharp package or the machine has no usable GPU. On a CUDA machine build " +
                      "with -p:DashExternalLibTorch=true (uses an installed PyTorch's libtorch) or -p:DashCuda=true (see README, GPU), " +
                      "or set device = cpu."));
        var count = torch.cuda.device_count();
        if (Index >= count)
            throw new ArgumentException($"{key} = \"{this}\" but this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1}).");
        return torch.device(DeviceType.CUDA, Index);
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : $"cuda:{Index}";
}
