// The transformer body Hugging Face calls `model`: token embedding, decoder layers, final norm.
using Dash.Model.Config;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>embed_tokens → layers.{i} → norm; returns final hidden states.</summary>
public sealed class Backbone : nn.Module
{
    private readonly TorchSharp.Modules.Embedding embed_tokens;
    private readonly TorchSharp.Modules.ModuleList<DecoderLayer> layers;
    private readonly RmsNorm norm;

    public Backbone(ModelConfig config, Device device, ScalarType dtype, bool fused = true) : base(nameof(Backbone))
    {
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: device, dtype: dtype);
        layers = nn.ModuleList([.. Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new DecoderLayer(config, device, dtype, fused))]);
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix [V, D] (shared with the LM head when embeddings are tied).</summary>
    public TorchSharp.Modules.Parameter EmbeddingWeight => embed_tokens.weight!;

    // inputIds: [B, T] -> [B, T, D]
    public Tensor Forward(Tensor inputIds, Tensor cos, Tensor sin, AttentionMask mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = embed_tokens.forward(inputIds);
        for (var i = 0; i < layers.Count; i++) h = layers[i].Forward(h, cos, sin, mask, cache, i);
        return norm.forward(h).MoveToOuterDisposeScope();
    }
}
