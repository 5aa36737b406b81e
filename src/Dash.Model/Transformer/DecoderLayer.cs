// One pre-norm transformer block: x + attn(norm(x)), then x + mlp(norm(x)).
using Dash.Model.Config;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>A decoder block with Hugging Face names input_layernorm, self_attn, post_attention_layernorm, mlp.</summary>
public sealed class DecoderLayer : nn.Module
{
    private readonly RmsNorm input_layernorm;
    private readonly Attention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly Mlp mlp;

    public DecoderLayer(ModelConfig config, Device device, ScalarType dtype, bool fused = true) : base(nameof(DecoderLayer))
    {
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        self_attn = new Attention(config, device, dtype, fused);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        mlp = new Mlp(config.HiddenSize, config.IntermediateSize, device, dtype, fused);
        RegisterComponents();
    }

    // x: [B, T, D] -> [B, T, D]
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionMask mask, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var h = Residual(x, self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, cache, layer));
        var output = Residual(h, mlp.forward(post_attention_layernorm.forward(h)));
        return output.MoveToOuterDisposeScope();
    }

    // x + block output. Without autograd the sum goes into the block's fresh output: float addition is commutative,
    // so block + x has the bits of x + block, and a [B, T, D] allocation is saved.
    private static Tensor Residual(Tensor x, Tensor block) => is_grad_enabled() ? x + block : block.add_(x);
}
