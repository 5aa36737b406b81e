// Pre-allocated per-layer key/value buffers for incremental decoding.
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// Keys and values of every layer, [B, KvH, Capacity, d] each, filled left to right. <see cref="Length"/> counts the
/// positions already stored; a forward pass with a cache appends its T new positions and then advances it.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public KvCache(int layers, long batch, int kvHeads, int capacity, int headDim, Device device, ScalarType dtype)
    {
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (var i = 0; i < layers; i++)
        {
            _keys[i] = zeros([batch, kvHeads, capacity, headDim], dtype: dtype, device: device).DetachFromDisposeScope();
            _values[i] = zeros([batch, kvHeads, capacity, headDim], dtype: dtype, device: device).DetachFromDisposeScope();
        }
    }

    public int Capacity { get; }

    /// <summary>The dtype keys and values are stored in (the model's).</summary>
    public ScalarType Dtype => _keys[0].dtype;
    public int Length { get; private set; }

    /// <summary>Stores k, v [B, KvH, T, d] of <paramref name="layer"/> after the current length and returns the
    /// views of all keys and values so far, [B, KvH, Length + T, d] (no copy).</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        var t = Store(layer, k, v);
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Stores k, v [B, KvH, T, d] of <paramref name="layer"/> after the current length (what
    /// <see cref="Append"/> does, without the views); returns T.</summary>
    internal int Store(int layer, Tensor k, Tensor v)
    {
        var t = (int)k.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache capacity {Capacity} exceeded: {Length} stored + {t} new positions.");
        using (var kSlot = _keys[layer].narrow(2, Length, t)) kSlot.copy_(k);
        using (var vSlot = _values[layer].narrow(2, Length, t)) vSlot.copy_(v);
        return t;
    }

    /// <summary>The whole key and value buffers of <paramref name="layer"/>, [B, KvH, Capacity, d] (contiguous; the
    /// first <see cref="Length"/> positions, plus any just appended, are filled).</summary>
    internal (Tensor Keys, Tensor Values) Buffers(int layer) => (_keys[layer], _values[layer]);

    /// <summary>Marks <paramref name="positions"/> more positions as stored (called once per forward, after all layers).</summary>
    public void Advance(int positions) => Length += positions;

    /// <summary>Keeps only the given batch rows [R] (in that order; a row may repeat): drops finished sequences, or
    /// repeats a shared prompt's rows for its completions.</summary>
    public void KeepRows(Tensor rows)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            var keys = _keys[i].index_select(0, rows).DetachFromDisposeScope();
            var values = _values[i].index_select(0, rows).DetachFromDisposeScope();
            _keys[i].Dispose();
            _values[i].Dispose();
            _keys[i] = keys;
            _values[i] = values;
        }
    }

    /// <summary>Forgets everything stored (the buffers are reused).</summary>
    public void Reset() => Length = 0;

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
