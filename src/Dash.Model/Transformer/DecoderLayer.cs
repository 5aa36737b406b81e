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
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, cache, layer);
        var output = h + mlp.forward(post_attention_layernorm.forward(h));
        return output.MoveToOuterDisposeScope();
    }
}
