// Rotary position embeddings in the rotate-half convention Hugging Face Llama/Qwen2 use, from cos/sin tables.
using Dash.Model.Config;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// Holds cos/sin tables [P, d] (d = head size, frequencies repeated for both halves) and rotates q/k by position id.
/// The sin table is stored with its first half negated (<c>signed sin</c>), so that rotate_half(x)·sin is
/// roll(x, d/2)·signed sin: one roll in place of two slices, a negation and a concatenation, bit for bit the same
/// numbers. The tables follow the model to whatever device and dtype its activations use (they are not parameters).
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly int _headDim;
    private readonly int _maxPositions;
    private readonly double _theta;
    private readonly RopeScaling? _scaling;
    private Tensor? _cos;
    private Tensor? _signedSin;

    public RotaryEmbedding(int headDim, int maxPositions, double theta, RopeScaling? scaling = null)
    {
        _headDim = headDim;
        _maxPositions = maxPositions;
        _theta = theta;
        _scaling = scaling;
    }

    /// <summary>
    /// The d/2 inverse frequencies in float32, computed as Hugging Face's rope initialisers do:
    /// inv_freq[i] = 1 / theta^(2i/d); <c>linear</c> divides them by the factor; <c>llama3</c> divides those whose
    /// wavelength 2π/inv_freq exceeds original_max / low_freq_factor, keeps those below original_max / high_freq_factor
    /// and in between blends (1 − s)·inv/factor + s·inv with s = (original_max / wavelength − low) / (high − low).
    /// </summary>
    public static Tensor InverseFrequencies(int headDim, double theta, RopeScaling? scaling)
    {
        using var scope = NewDisposeScope();
        var invFreq = 1.0f / pow(theta, arange(0, headDim, 2, dtype: ScalarType.Float32) / headDim).to_type(ScalarType.Float32);
        switch (scaling?.Type)
        {
            case RopeScaling.Linear:
                invFreq = invFreq / scaling.Factor;
                break;
            case RopeScaling.Llama3:
                var original = (double)scaling.OriginalMaxPositionEmbeddings;
                var lowFreqWavelen = original / scaling.LowFreqFactor;
                var highFreqWavelen = original / scaling.HighFreqFactor;
                var wavelen = 2 * Math.PI / invFreq;
                var scaled = where(wavelen > lowFreqWavelen, invFreq / scaling.Factor, invFreq);
                var smooth = (original / wavelen - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
                var smoothed = (1 - smooth) * scaled / scaling.Factor + smooth * scaled;
                var medium = wavelen.greater_equal(highFreqWavelen).logical_and(wavelen.less_equal(lowFreqWavelen));
                invFreq = where(medium, smoothed, scaled);
                break;
        }
        return invFreq.MoveToOuterDisposeScope();
    }

    /// <summary>Gathers the tables at <paramref name="positionIds"/> [B, T] → cos, signed sin [B, T, 1, d] (broadcast
    /// over heads), the arguments of <see cref="Apply"/>.</summary>
    public (Tensor Cos, Tensor SignedSin) At(Tensor positionIds, ScalarType dtype)
    {
        EnsureTables(positionIds.device, dtype);
        var (b, t) = (positionIds.shape[0], positionIds.shape[1]);
        var flat = positionIds.reshape(-1);
        var cos = _cos!.index_select(0, flat).reshape(b, t, 1, _headDim);
        var signedSin = _signedSin!.index_select(0, flat).reshape(b, t, 1, _headDim);
        return (cos, signedSin);
    }

    /// <summary>x [B, T, H, d] rotated: x * cos + rotate_half(x) * sin, computed as x * cos + roll(x, d/2) * signed sin
    /// (rotate_half(x) = [−x₂, x₁], roll(x, d/2) = [x₂, x₁], signed sin = [−sin₁, sin₂]; −x₂·s = x₂·(−s) exactly).
    /// Any number of heads: q and k rotate in one call when they lie side by side.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        using var rolled = x.roll(x.shape[^1] / 2, -1);
        var a = x * cos;
        using var b = rolled * signedSin;
        if (!is_grad_enabled()) return a.add_(b);                 // a + b in place: the same sum, one allocation fewer
        using (a) return a + b;
    }

    /// <summary>How many times the tables were computed (once per device and dtype the activations use).</summary>
    internal int TableBuilds { get; private set; }

    // TorchSharp's Device is a class without value equality (every Tensor.device is a new object), so the tables are
    // matched by device type and index: comparing Device objects rebuilt them on every forward pass, [P, d] cos and sin
    // of every position (32768 × 64 for Qwen2.5), computed on the CPU and, on a GPU, copied over at each decode step.
    private void EnsureTables(Device device, ScalarType dtype)
    {
        if (_cos is not null && _cos.device_type == device.type && _cos.device_index == device.index && _cos.dtype == dtype) return;
        TableBuilds++;
        _cos?.Dispose();
        _signedSin?.Dispose();
        using var scope = NewDisposeScope();
        var invFreq = InverseFrequencies(_headDim, _theta, _scaling);
        var positions = arange(0, _maxPositions, dtype: ScalarType.Float32);
        var freqs = outer(positions, invFreq);            // [P, d/2]
        var emb = cat([freqs, freqs], -1);                 // [P, d]
        _cos = emb.cos().to(dtype, device).DetachFromDisposeScope();
        var sin = emb.sin();
        var half = _headDim / 2;
        var signedSin = cat([sin.narrow(-1, 0, half).neg(), sin.narrow(-1, half, half)], -1);
        _signedSin = signedSin.to(dtype, device).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _cos?.Dispose();
        _signedSin?.Dispose();
    }
}
