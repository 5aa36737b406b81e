// Grouped-query self-attention with rotary embeddings, an optional KV cache and boolean masks only where needed.
using Dash.Model.Config;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// Self-attention with o_proj and either one fused qkv_proj (q, k, v rows stacked, biases for Qwen2: one GEMM, see
/// <see cref="FusedProjections"/>) or Hugging Face's separate q_proj, k_proj, v_proj. Grouped-query attention folds
/// the H/KvH query heads that share a key/value head into the query-length axis, so keys and values (and the KV
/// cache) are never repeated or copied.
/// </summary>
public sealed class Attention : nn.Module
{
    private readonly TorchSharp.Modules.Linear? qkv_proj;
    private readonly TorchSharp.Modules.Linear? q_proj;
    private readonly TorchSharp.Modules.Linear? k_proj;
    private readonly TorchSharp.Modules.Linear? v_proj;
    private readonly TorchSharp.Modules.Linear o_proj;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public Attention(ModelConfig config, Device device, ScalarType dtype, bool fused = true) : base(nameof(Attention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        var d = config.HiddenSize;
        var bias = config.AttentionBias;
        if (fused)
        {
            qkv_proj = nn.Linear(d, (_heads + 2 * _kvHeads) * _headDim, hasBias: bias, device: device, dtype: dtype);
        }
        else
        {
            q_proj = nn.Linear(d, _heads * _headDim, hasBias: bias, device: device, dtype: dtype);
            k_proj = nn.Linear(d, _kvHeads * _headDim, hasBias: bias, device: device, dtype: dtype);
            v_proj = nn.Linear(d, _kvHeads * _headDim, hasBias: bias, device: device, dtype: dtype);
        }
        o_proj = nn.Linear(_heads * _headDim, d, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>
    /// x [B, T, D]; cos/sin [B, T, 1, d] (the signed sin of <see cref="RotaryEmbedding.At"/>); the cache (when given) receives this layer's new keys and values.
    /// <paramref name="mask"/> says what each query sees among the S = cached + new keys (see <see cref="AttentionMask"/>).
    /// Returns [B, T, D]. A CPU float32 decode step (T = 1, with a cache, enough rows) attends with
    /// <see cref="DecodeAttention"/> over the cache buffers; everything else with libtorch's scaled-dot-product attention.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionMask mask, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (x.shape[0], x.shape[1]);
        var group = _heads / _kvHeads;

        var (q, k, v) = ProjectAndRotate(x, cos, sin);                                 // [B, T, H, d], [B, T, KvH, d] ×2

        // Heads h = kv·G + g share key/value head kv: fold g into the query axis → [B, KvH, G·T, d].
        var qFolded = q.permute(0, 2, 1, 3).reshape(b, _kvHeads, group * t, _headDim);
        var kT = k.transpose(1, 2);                                                                 // [B, KvH, T, d]
        var vT = v.transpose(1, 2);
        Tensor attended;
        if (cache is not null && t == 1 && !mask.IsCausal && (mask.Folded is null || mask.DecodeKeys is not null) && DecodeAttention.Applies(qFolded, cache))
        {
            cache.Store(layer, kT, vT);
            var (keyBuffer, valueBuffer) = cache.Buffers(layer);
            attended = DecodeAttention.Run(qFolded, keyBuffer, valueBuffer, cache.Length + 1, mask.DecodeKeys);
        }
        else
        {
            var (keys, values) = cache is null ? (kT, vT) : cache.Append(layer, kT, vT);            // [B, KvH, S, d]
            attended = nn.functional.scaled_dot_product_attention(qFolded, keys, values, mask.Folded, 0.0, mask.IsCausal);
        }
        // reshape, not view: CUDA attention kernels may return a non-contiguous layout.
        var merged = attended.reshape(b, _heads, t, _headDim).transpose(1, 2).reshape(b, t, _heads * _headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    // Fused: one GEMM whose output columns split into views (the column ranges stay unit-stride, so the head reshapes
    // are views too), and one rotation of the q and k heads together (they are adjacent columns). Separate: three
    // GEMMs and two rotations. The same numbers either way; fewer native calls fused.
    private (Tensor Q, Tensor K, Tensor V) ProjectAndRotate(Tensor x, Tensor cos, Tensor signedSin)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        if (qkv_proj is null)
        {
            var q = RotaryEmbedding.Apply(q_proj!.forward(x).reshape(b, t, _heads, _headDim), cos, signedSin);
            var k = RotaryEmbedding.Apply(k_proj!.forward(x).reshape(b, t, _kvHeads, _headDim), cos, signedSin);
            return (q, k, v_proj!.forward(x).reshape(b, t, _kvHeads, _headDim));
        }
        var qkv = qkv_proj.forward(x);                                                              // [B, T, (H + 2·KvH)·d]
        var qkHeads = _heads + _kvHeads;
        var qk = qkv.narrow(-1, 0, qkHeads * _headDim).reshape(b, t, qkHeads, _headDim);
        var rotated = RotaryEmbedding.Apply(qk, cos, signedSin);                                    // [B, T, H + KvH, d]
        var v = qkv.narrow(-1, qkHeads * _headDim, _kvHeads * _headDim).reshape(b, t, _kvHeads, _headDim);
        return (rotated.narrow(2, 0, _heads), rotated.narrow(2, _heads, _kvHeads), v);
    }
}
