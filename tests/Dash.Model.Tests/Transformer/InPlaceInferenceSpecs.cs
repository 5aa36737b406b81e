// Specifies that the forward pass without autograd (sampling, evaluation), which runs its element-wise steps in place,
// gives bit for bit what the autograd forward gives: prefill with padding, cached decode steps, fp32 and bf16.
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class InPlaceInferenceSpecs
{
    public static TheoryData<bool, bool> Models => new() { { false, false }, { true, false }, { false, true } };

    [Theory]
    [MemberData(nameof(Models))]
    public void Should_give_the_autograd_forward_passes_bits_without_autograd(bool qwen2, bool bfloat16)
    {
        using var model = Model(qwen2, bfloat16);
        using var withGrad = Run(model, grad: true);
        using var without = Run(model, grad: false);

        Assert.False(without.requires_grad);
        Assert.True(withGrad.requires_grad, "the reference run must take the autograd path");
        Assert.Equal(Bits(withGrad), Bits(without));
    }

    // Every value's float32 bit pattern (bf16 widens to float32 exactly).
    private static int[] Bits(Tensor values)
    {
        using var widened = values.detach().to_type(ScalarType.Float32);
        return [.. widened.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits)];
    }

    // The tiny model, or its bf16 twin (the same seed's weights, drawn in float32 and rounded).
    private static CausalLM Model(bool qwen2, bool bfloat16)
    {
        var fp32 = TinyModels.Create(seed: 31, qwen2: qwen2, tied: !qwen2);
        if (!bfloat16) return fp32;
        var config = fp32.Config;
        fp32.Dispose();
        var model = new CausalLM(config, dtype: ScalarType.BFloat16);
        using var generator = new Generator(31);
        model.InitializeWeights(generator);
        return model;
    }

    // A left-padded two-row prefill of 5 positions, then three cached single-token steps; all logits, [2, 8, V].
    private static Tensor Run(CausalLM model, bool grad)
    {
        using var mode = grad ? enable_grad() : no_grad();
        using var scope = NewDisposeScope();
        using var cache = model.CreateCache(2, 8);
        var ids = tensor(new long[] { 0, 0, 1, 5, 6, 1, 7, 8, 9, 10 }, [2, 5]);
        var real = tensor(new[] { false, false, true, true, true, true, true, true, true, true }, [2, 5]);
        var positions = tensor(new long[] { 0, 0, 0, 1, 2, 0, 1, 2, 3, 4 }, [2, 5]);
        var steps = new List<Tensor> { model.Forward(ids, positions, real, cache) };
        for (var s = 0; s < 3; s++)
        {
            var token = tensor(new long[] { 11 + s, 20 + s }, [2, 1]);
            var position = tensor(new long[] { 3 + s, 5 + s }, [2, 1]);
            real = cat([real, ones([2, 1], ScalarType.Bool)], 1);
            steps.Add(model.Forward(token, position, real, cache));
        }
        return cat(steps, 1).MoveToOuterDisposeScope();
    }
}
