// Copies all weights or gradients of a model to and from one reused flat float[] (for shipping between processes).
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Dash.Model.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dash.Model.Parameters;

/// <summary>
/// A fixed order over parameters (state-dict order) and copies between them and a caller-owned flat buffer of
/// <see cref="Count"/> floats, through the tensors' native memory: no per-call allocation on CPU. The buffer is
/// float32 whatever the parameters' dtype: bfloat16/float16 parameters are widened on read and rounded (to nearest
/// even) on write, so a float32 learner's weights load into a bfloat16 sampler.
/// </summary>
public sealed class FlatParameters
{
    private readonly Parameter[] _parameters;

    public FlatParameters(IEnumerable<Parameter> parameters)
    {
        _parameters = [.. parameters];
        foreach (var p in _parameters)
        {
            if (p.dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
                throw new ArgumentException($"flat parameter copies need float32, bfloat16 or float16 parameters; found {p.dtype}.");
        }
        Count = _parameters.Sum(p => p.numel());
    }

    /// <summary>Total number of parameter elements (the flat buffer's length).</summary>
    public long Count { get; }

    /// <summary>Copies every weight into <paramref name="target"/> (length ≥ <see cref="Count"/>).</summary>
    public void CopyWeightsTo(Span<float> target)
    {
        CheckLength(target.Length);
        var offset = 0;
        foreach (var p in _parameters)
        {
            var n = (int)p.numel();
            ReadFrom(p, target.Slice(offset, n));
            offset += n;
        }
    }

    /// <summary>Overwrites every weight from <paramref name="source"/> (autograd does not see the change).</summary>
    public void CopyWeightsFrom(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length);
        var offset = 0;
        foreach (var p in _parameters)
        {
            var n = (int)p.numel();
            WriteTo(p, source.Slice(offset, n));
            offset += n;
        }
    }

    /// <summary>Copies every gradient into <paramref name="target"/>; parameters without a gradient give zeros.</summary>
    public void CopyGradientsTo(Span<float> target)
    {
        CheckLength(target.Length);
        using var scope = NewDisposeScope();
        var offset = 0;
        foreach (var p in _parameters)
        {
            var n = (int)p.numel();
            var grad = p.grad;
            if (grad is null) target.Slice(offset, n).Clear();
            else ReadFrom(grad, target.Slice(offset, n));
            offset += n;
        }
    }

    /// <summary>Adds <paramref name="source"/> to every gradient (creating zero gradients where none exist yet).</summary>
    public void AddGradientsFrom(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var offset = 0;
        foreach (var p in _parameters)
        {
            var n = (int)p.numel();
            var grad = p.grad;
            if (grad is null)
            {
                p.grad = zeros_like(p).DetachFromDisposeScope();
                grad = p.grad!;
            }
            var slice = source.Slice(offset, n);
            if (grad.device_type == TorchSharp.DeviceType.CPU && grad.is_contiguous() && grad.dtype == ScalarType.Float32)
            {
                Add(MemoryMarshal.Cast<byte, float>(grad.bytes), slice);
            }
            else
            {
                var staged = tensor(slice.ToArray(), grad.shape, device: grad.device);
                grad.add_(staged);
            }
            offset += n;
        }
    }

    /// <summary>SHA-256 (lower-case hex) of all weights' bytes in order: equal weights give equal hashes.</summary>
    public string WeightsSha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in _parameters)
        {
            if (p.device_type == TorchSharp.DeviceType.CPU && p.is_contiguous())
            {
                hash.AppendData(p.bytes);
                continue;
            }
            using var cpu = p.detach().cpu().contiguous();
            hash.AppendData(cpu.bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private void CheckLength(int length)
    {
        if (length < Count) throw new ArgumentException($"flat buffer holds {length} floats; the parameters need {Count}.");
    }

    private static void ReadFrom(Tensor t, Span<float> target)
    {
        if (t.device_type == TorchSharp.DeviceType.CPU && t.is_contiguous())
        {
            SafetensorsDtypes.ToFloat32(t.bytes, Stored(t), target);
            return;
        }
        using var cpu = t.detach().cpu().contiguous();
        SafetensorsDtypes.ToFloat32(cpu.bytes, Stored(cpu), target);
    }

    private static void WriteTo(Tensor t, ReadOnlySpan<float> source)
    {
        if (t.device_type == TorchSharp.DeviceType.CPU && t.is_contiguous())
        {
            SafetensorsDtypes.FromFloat32(source, Stored(t), t.bytes);
            return;
        }
        using var staged = tensor(source.ToArray(), t.shape, device: t.device);
        using var noGrad = no_grad();
        t.copy_(staged);
    }

    private static SafetensorsDtype Stored(Tensor t) => SafetensorsDtypes.FromScalarType(t.dtype)!.Value;

    private static void Add(Span<float> target, ReadOnlySpan<float> source)
    {
        var i = 0;
        var width = Vector<float>.Count;
        for (; i <= target.Length - width; i += width)
            (new Vector<float>(target[i..]) + new Vector<float>(source[i..])).CopyTo(target[i..]);
        for (; i < target.Length; i++) target[i] += source[i];
    }
}
