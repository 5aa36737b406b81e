// Specifies that the rotary tables are computed once per device and dtype, not on every forward pass.
using Dash.Model.Config;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class RotaryEmbeddingSpecs
{
    [Fact]
    public void Should_compute_its_tables_once_per_device_and_dtype_however_many_forward_passes_ask()
    {
        using var rope = new RotaryEmbedding(headDim: 16, maxPositions: 64, theta: 10000.0);
        using var scope = NewDisposeScope();
        // Every call brings its own position tensor, as every decode step does (a new Tensor.device object each time).
        for (var step = 0; step < 5; step++) rope.At(tensor(new long[] { step }).view(1, 1), ScalarType.Float32);
        Assert.Equal(1, rope.TableBuilds);

        rope.At(tensor(new long[] { 0 }).view(1, 1), ScalarType.BFloat16);
        Assert.Equal(2, rope.TableBuilds);
    }

    [Fact]
    public void Should_compute_the_tables_once_over_a_whole_sampled_generation()
    {
        using var model = new CausalLM(ModelConfig.Tiny(32));
        model.InitializeWeights(new Generator(3));
        var sampler = new Dash.Model.Sampling.Sampler(model);
        sampler.Sample([[1, 5, 7], [1, 9]], new Dash.Model.Sampling.SamplingOptions { MaxNewTokens = 6 }, new Generator(4));
        Assert.Equal(1, model.RotaryTableBuilds);
    }
}
