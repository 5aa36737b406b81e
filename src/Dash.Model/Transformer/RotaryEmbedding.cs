// Rotary position embeddings in the rotate-half convention Hugging Face Llama/Qwen2 use, from cos/sin tables.
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// Holds cos/sin tables [P, d] (d = head size, frequencies repeated for both halves) and rotates q/k by position id.
/// The tables follow the model to whatever device and dtype its activations use (they are not parameters).
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly int _headDim;
    private readonly int _maxPositions;
    private readonly double _theta;
    private Tensor? _cos;
    private Tensor? _sin;

    public RotaryEmbedding(int headDim, int maxPositions, double theta)
    {
        _headDim = headDim;
        _maxPositions = maxPositions;
        _theta = theta;
    }

    /// <summary>Gathers the tables at <paramref name="positionIds"/> [B, T] → cos, sin [B, T, 1, d] (broadcast over heads).</summary>
    public (Tensor Cos, Tensor Sin) At(Tensor positionIds, ScalarType dtype)
    {
        EnsureTables(positionIds.device, dtype);
        var (b, t) = (positionIds.shape[0], positionIds.shape[1]);
        var flat = positionIds.reshape(-1);
        var cos = _cos!.index_select(0, flat).reshape(b, t, 1, _headDim);
        var sin = _sin!.index_select(0, flat).reshape(b, t, 1, _headDim);
        return (cos, sin);
    }

    /// <summary>x [B, T, H, d] rotated: x * cos + rotate_half(x) * sin.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        using var x1 = x.narrow(-1, 0, half);
        using var x2 = x.narrow(-1, half, half);
        using var negX2 = x2.neg();
        using var rotated = cat([negX2, x1], -1);
        using var a = x * cos;
        using var b = rotated * sin;
        return a + b;
    }

    private void EnsureTables(Device device, ScalarType dtype)
    {
        if (_cos is not null && _cos.device == device && _cos.dtype == dtype) return;
        _cos?.Dispose();
        _sin?.Dispose();
        using var scope = NewDisposeScope();
        // inv_freq[i] = 1 / theta^(2i/d), as Hugging Face computes it in float32.
        var invFreq = 1.0f / pow(_theta, arange(0, _headDim, 2, dtype: ScalarType.Float32) / _headDim).to_type(ScalarType.Float32);
        var positions = arange(0, _maxPositions, dtype: ScalarType.Float32);
        var freqs = outer(positions, invFreq);            // [P, d/2]
        var emb = cat([freqs, freqs], -1);                 // [P, d]
        _cos = emb.cos().to(dtype, device).DetachFromDisposeScope();
        _sin = emb.sin().to(dtype, device).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _cos?.Dispose();
        _sin?.Dispose();
    }
}
