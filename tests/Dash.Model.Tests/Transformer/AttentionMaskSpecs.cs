// Specifies that attention without a materialised mask (causal flag, single new token) equals the explicit mask.
using Dash.Model.Config;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class AttentionMaskSpecs
{
    private static CausalLM Model(int kvHeads)
    {
        var model = new CausalLM(ModelConfig.Tiny(40) with { NumHiddenLayers = 2, HiddenSize = 64, IntermediateSize = 96, NumAttentionHeads = 4, NumKeyValueHeads = kvHeads });
        using var generator = new Generator(21);
        model.InitializeWeights(generator);
        return model;
    }

    [Theory]
    [InlineData(4)]   // one query head per key head: the prefill uses the kernel's causal flag
    [InlineData(2)]   // grouped heads: an explicit folded mask
    public void Should_give_the_logits_of_an_explicit_all_real_mask_without_one(int kvHeads)
    {
        using var model = Model(kvHeads);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 5, 9, 3, 7, 11, 2, 8, 1, 4, 6, 10 }, [2, 6]);
        var positions = arange(6, dtype: ScalarType.Int64).unsqueeze(0).expand(2, 6);
        var allReal = ones([2, 7], dtype: ScalarType.Bool);
        using var masked = model.CreateCache(2, 7);
        using var unmasked = model.CreateCache(2, 7);

        var prefillMasked = model.Forward(ids, positions, allReal.narrow(1, 0, 6), masked);
        var prefillUnmasked = model.Forward(ids, positions, null, unmasked);
        var next = tensor(new long[] { 12, 13 }, [2, 1]);
        var step = full([2, 1], 6L, dtype: ScalarType.Int64);
        var decodeMasked = model.Forward(next, step, allReal, masked);
        var decodeUnmasked = model.Forward(next, step, null, unmasked);

        Assert.True((prefillMasked - prefillUnmasked).abs().max().item<float>() < 1e-5f);
        Assert.True((decodeMasked - decodeUnmasked).abs().max().item<float>() < 1e-5f);
        Assert.True(prefillMasked.argmax(-1).eq(prefillUnmasked.argmax(-1)).all().item<bool>());
    }
}
