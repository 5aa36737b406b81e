// The element types Dash reads and writes in safetensors files, and conversions between them and float32.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Dash.Model.Checkpoints;

/// <summary>A safetensors dtype name with its element size and TorchSharp scalar type.</summary>
public enum SafetensorsDtype { F32, F16, BF16, I64, I32 }

internal static class SafetensorsDtypes
{
    public static bool TryParse(string name, out SafetensorsDtype dtype) => name switch
    {
        "F32" => Set(SafetensorsDtype.F32, out dtype),
        "F16" => Set(SafetensorsDtype.F16, out dtype),
        "BF16" => Set(SafetensorsDtype.BF16, out dtype),
        "I64" => Set(SafetensorsDtype.I64, out dtype),
        "I32" => Set(SafetensorsDtype.I32, out dtype),
        _ => Set(default, out dtype) && false,
    };

    private static bool Set(SafetensorsDtype value, out SafetensorsDtype dtype)
    {
        dtype = value;
        return true;
    }

    public static int ElementSize(this SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.F32 or SafetensorsDtype.I32 => 4,
        SafetensorsDtype.F16 or SafetensorsDtype.BF16 => 2,
        _ => 8,
    };

    public static ScalarType ToScalarType(this SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.F32 => ScalarType.Float32,
        SafetensorsDtype.F16 => ScalarType.Float16,
        SafetensorsDtype.BF16 => ScalarType.BFloat16,
        SafetensorsDtype.I64 => ScalarType.Int64,
        _ => ScalarType.Int32,
    };

    public static bool IsFloat(this SafetensorsDtype dtype) =>
        dtype is SafetensorsDtype.F32 or SafetensorsDtype.F16 or SafetensorsDtype.BF16;

    public static SafetensorsDtype? FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Float32 => SafetensorsDtype.F32,
        ScalarType.Float16 => SafetensorsDtype.F16,
        ScalarType.BFloat16 => SafetensorsDtype.BF16,
        ScalarType.Int64 => SafetensorsDtype.I64,
        ScalarType.Int32 => SafetensorsDtype.I32,
        _ => null,
    };

    /// <summary>Little-endian floats of <paramref name="source"/> (any float dtype) widened to float32.</summary>
    public static void ToFloat32(ReadOnlySpan<byte> source, SafetensorsDtype dtype, Span<float> target)
    {
        switch (dtype)
        {
            case SafetensorsDtype.F32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(target);
                break;
            case SafetensorsDtype.BF16:
                var bf = MemoryMarshal.Cast<byte, ushort>(source);
                for (var i = 0; i < target.Length; i++) target[i] = BitConverter.Int32BitsToSingle(bf[i] << 16);
                break;
            case SafetensorsDtype.F16:
                var h = MemoryMarshal.Cast<byte, Half>(source);
                for (var i = 0; i < target.Length; i++) target[i] = (float)h[i];
                break;
            default:
                throw new ArgumentException($"{dtype} is not a float dtype.");
        }
    }

    /// <summary>Narrows float32 to <paramref name="dtype"/> (round to nearest even) as little-endian bytes.</summary>
    public static void FromFloat32(ReadOnlySpan<float> source, SafetensorsDtype dtype, Span<byte> target)
    {
        switch (dtype)
        {
            case SafetensorsDtype.F32:
                MemoryMarshal.AsBytes(source).CopyTo(target);
                break;
            case SafetensorsDtype.BF16:
                for (var i = 0; i < source.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(target[(2 * i)..], ToBFloat16Bits(source[i]));
                break;
            case SafetensorsDtype.F16:
                var h = MemoryMarshal.Cast<byte, Half>(target);
                for (var i = 0; i < source.Length; i++) h[i] = (Half)source[i];
                break;
            default:
                throw new ArgumentException($"{dtype} is not a float dtype.");
        }
    }

    /// <summary>The bfloat16 nearest to <paramref name="value"/> (ties to even; NaN stays NaN).</summary>
    public static ushort ToBFloat16Bits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
