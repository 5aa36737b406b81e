// Writes tensors as a safetensors file, atomically (temp file, fsync, rename), or to any stream.
using System.Text;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Dash.Model.Checkpoints;

/// <summary>Writes named tensors (F32, F16, BF16, I64, I32) plus optional <c>__metadata__</c> strings.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>: first to a temporary file beside it, flushed to
    /// disk, then renamed over the target, so readers never see a half-written file.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var temp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes the safetensors bytes to <paramref name="stream"/> (names sorted, so output is deterministic).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing needs a little-endian machine.");
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in ordered)
        {
            var dtype = SafetensorsDtypes.FromScalarType(t.dtype)
                ?? throw new ArgumentException($"tensor \"{name}\" has dtype {t.dtype}; safetensors writing supports F32, F16, BF16, I64, I32.");
            var bytes = t.numel() * dtype.ElementSize();
            header[name] = new JsonObject
            {
                ["dtype"] = dtype.ToString(),
                ["shape"] = new JsonArray([.. t.shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        stream.Write(BitConverter.GetBytes((long)padded));
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');

        foreach (var (_, t) in ordered)
        {
            if (t.device_type == TorchSharp.DeviceType.CPU && t.is_contiguous())
            {
                stream.Write(t.bytes);
                continue;
            }
            using var cpu = t.detach().cpu().contiguous();
            stream.Write(cpu.bytes);
        }
    }

    /// <summary>The safetensors bytes of <paramref name="tensors"/> in memory.</summary>
    public static byte[] ToBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var memory = new MemoryStream();
        Write(memory, tensors, metadata);
        return memory.ToArray();
    }
}
