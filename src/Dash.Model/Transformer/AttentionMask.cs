// What scaled-dot-product attention is told about visibility: nothing, the causal flag, or an explicit boolean mask.
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// <see cref="Folded"/> [B, 1, G·T, S] bool (True = attend; G = H / KvH query heads folded into the query axis) or
/// null; <see cref="IsCausal"/> asks the kernel for its own causal mask instead (only valid without a cache, with one
/// query head per key head and no padding). Neither: every query sees every key (one new token, no padding).
/// <see cref="DecodeKeys"/> [B, S] bool is the same visibility for a one-token decode step, unfolded (what
/// <see cref="DecodeAttention"/> reads); null when every key is visible.
/// </summary>
public sealed record AttentionMask(Tensor? Folded, bool IsCausal, Tensor? DecodeKeys = null)
{
    public static AttentionMask None { get; } = new(null, false);

    public static AttentionMask Causal { get; } = new(null, true);
}
