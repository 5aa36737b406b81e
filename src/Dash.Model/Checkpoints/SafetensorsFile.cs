// Reads a safetensors file: validates the header, then streams tensor bytes straight into tensor memory.
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Dash.Model.Checkpoints;

/// <summary>One tensor's header entry: dtype, shape and byte range [Begin, End) within the data section.</summary>
public sealed record SafetensorsEntry(string Name, SafetensorsDtype Dtype, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// An open safetensors file (8-byte little-endian header length N, N bytes of JSON, packed data). <see cref="Open"/>
/// validates everything that can be checked without reading the data; reads fail with a
/// <see cref="SafetensorsException"/> naming the file and tensor.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private const int ChunkElements = 1 << 20;
    private readonly Stream _stream;
    private readonly long _dataStart;

    private SafetensorsFile(Stream stream, string label, long dataStart,
        Dictionary<string, SafetensorsEntry> tensors, Dictionary<string, string> metadata)
    {
        _stream = stream;
        Path = label;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file name used in error messages.</summary>
    public string Path { get; }

    public IReadOnlyDictionary<string, SafetensorsEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new SafetensorsException(path, null, "file not found.");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return Open(stream, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Validates a seekable stream holding a safetensors file; takes ownership of it.</summary>
    public static SafetensorsFile Open(Stream stream, string label)
    {
        var length = stream.Length;
        if (length < 8) throw new SafetensorsException(label, null, $"{length} bytes is too short for a safetensors header.");
        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(prefix);
        var headerLength = BitConverter.ToInt64(prefix);
        if (headerLength <= 0 || headerLength > length - 8 || headerLength > MaxHeaderBytes)
            throw new SafetensorsException(label, null,
                $"header length {headerLength} does not fit the file ({length} bytes); the file is truncated or not safetensors.");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = 8 + headerLength;
        var (tensors, metadata) = ParseHeader(header, label, length - dataStart);
        return new SafetensorsFile(stream, label, dataStart, tensors, metadata);
    }

    private static (Dictionary<string, SafetensorsEntry>, Dictionary<string, string>) ParseHeader(
        byte[] header, string label, long dataLength)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(header) as JsonObject
                   ?? throw new SafetensorsException(label, null, "header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new SafetensorsException(label, null, $"header is not valid JSON ({e.Message}).", e);
        }

        var tensors = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in root)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw new SafetensorsException(label, null, "__metadata__ must be an object of strings.");
                foreach (var (k, v) in meta)
                {
                    if (v is not JsonValue sv || !sv.TryGetValue(out string? s))
                        throw new SafetensorsException(label, null, $"__metadata__ value of \"{k}\" must be a string.");
                    metadata[k] = s;
                }
                continue;
            }
            tensors[name] = ParseEntry(name, node, label, dataLength);
        }

        var ordered = tensors.Values.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Begin < ordered[i - 1].End)
                throw new SafetensorsException(label, ordered[i].Name, $"byte range overlaps tensor \"{ordered[i - 1].Name}\".");
        }
        return (tensors, metadata);
    }

    private static SafetensorsEntry ParseEntry(string name, JsonNode? node, string label, long dataLength)
    {
        SafetensorsException Bad(string why) => new(label, name, why);
        if (node is not JsonObject entry) throw Bad("header entry must be an object with dtype, shape, data_offsets.");

        if (entry["dtype"] is not JsonValue dv || !dv.TryGetValue(out string? dtypeName))
            throw Bad("missing \"dtype\".");
        if (!SafetensorsDtypes.TryParse(dtypeName, out var dtype))
            throw Bad($"dtype \"{dtypeName}\" is not supported (F32, F16, BF16, I64, I32).");

        if (entry["shape"] is not JsonArray shapeNode) throw Bad("missing \"shape\" array.");
        var shape = new long[shapeNode.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            if (shapeNode[i] is not JsonValue sv || !sv.TryGetValue(out long d) || d < 0)
                throw Bad($"shape {shapeNode.ToJsonString()} must list non-negative integers.");
            shape[i] = d;
        }

        if (entry["data_offsets"] is not JsonArray { Count: 2 } offsets ||
            offsets[0] is not JsonValue b || !b.TryGetValue(out long begin) ||
            offsets[1] is not JsonValue e || !e.TryGetValue(out long end))
            throw Bad("\"data_offsets\" must be [begin, end].");
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad($"data_offsets [{begin}, {end}] lie outside the data section ({dataLength} bytes).");

        var result = new SafetensorsEntry(name, dtype, shape, begin, end);
        var expected = checked(result.ElementCount * dtype.ElementSize());
        if (end - begin != expected)
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtypeName} needs {expected} bytes but data_offsets span {end - begin}.");
        return result;
    }

    /// <summary>Reads a tensor as a new CPU tensor of its stored dtype (or converted to <paramref name="dtype"/>).</summary>
    public Tensor Read(string name, ScalarType? dtype = null)
    {
        var entry = Entry(name);
        var target = empty(entry.Shape, dtype: dtype ?? entry.Dtype.ToScalarType());
        try
        {
            ReadInto(name, target);
            return target;
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fills <paramref name="target"/> (same shape; any device; float dtypes convert, integer dtypes must match) with
    /// the stored tensor, streaming through its native memory.
    /// </summary>
    public void ReadInto(string name, Tensor target)
    {
        var entry = Entry(name);
        if (!entry.Shape.SequenceEqual(target.shape))
            throw new SafetensorsException(Path, name,
                $"shape [{string.Join(", ", entry.Shape)}] in the file does not match the model's [{string.Join(", ", target.shape)}].");

        if (target.device_type != TorchSharp.DeviceType.CPU || !target.is_contiguous())
        {
            using var staging = Read(name, target.dtype);
            using var noGrad = no_grad();
            target.copy_(staging);
            return;
        }

        var targetType = SafetensorsDtypes.FromScalarType(target.dtype)
            ?? throw new SafetensorsException(Path, name, $"cannot read into a {target.dtype} tensor.");
        if (targetType != entry.Dtype && !(targetType.IsFloat() && entry.Dtype.IsFloat()))
            throw new SafetensorsException(Path, name, $"stored as {entry.Dtype}; cannot convert to {target.dtype}.");

        _stream.Position = _dataStart + entry.Begin;
        var span = target.bytes;
        if (targetType == entry.Dtype)
        {
            ReadExactly(span, name);
            return;
        }
        ConvertInto(entry, targetType, span);
    }

    private void ConvertInto(SafetensorsEntry entry, SafetensorsDtype targetType, Span<byte> span)
    {
        var sourceSize = entry.Dtype.ElementSize();
        var targetSize = targetType.ElementSize();
        var buffer = new byte[Math.Min(entry.End - entry.Begin, (long)ChunkElements * sourceSize)];
        var floats = new float[buffer.Length / sourceSize];
        for (long done = 0; done < entry.ElementCount;)
        {
            var count = (int)Math.Min(floats.Length, entry.ElementCount - done);
            var chunk = buffer.AsSpan(0, count * sourceSize);
            ReadExactly(chunk, entry.Name);
            SafetensorsDtypes.ToFloat32(chunk, entry.Dtype, floats.AsSpan(0, count));
            SafetensorsDtypes.FromFloat32(floats.AsSpan(0, count), targetType,
                span.Slice(checked((int)(done * targetSize)), count * targetSize));
            done += count;
        }
    }

    private void ReadExactly(Span<byte> target, string name)
    {
        try
        {
            _stream.ReadExactly(target);
        }
        catch (EndOfStreamException e)
        {
            throw new SafetensorsException(Path, name, "file ends inside the tensor's data.", e);
        }
    }

    private SafetensorsEntry Entry(string name) =>
        Tensors.TryGetValue(name, out var entry) ? entry : throw new SafetensorsException(Path, name, "not in the file.");

    /// <summary>Reads one tensor as float32 values (other dtypes are converted), for tests and small tools.</summary>
    public float[] ReadFloats(string name)
    {
        using var t = Read(name);
        using var f = t.to_type(ScalarType.Float32);
        return MemoryMarshal.Cast<byte, float>(f.bytes).ToArray();
    }

    public void Dispose() => _stream.Dispose();
}
