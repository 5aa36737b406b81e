// Specifies bfloat16 models: logits close to float32 on the real stories260K, sampling with a bf16 KV cache, and
// float32 weight buffers loading into bf16 replicas.
using Dash.Model.Checkpoints;
using Dash.Model.Parameters;
using Dash.Model.Sampling;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class BFloat16Specs
{
    private static readonly int[] OnceUponATime = [1, 403, 407, 261, 378];

    [Fact]
    public void Should_give_logits_within_bfloat16_tolerance_of_float32()
    {
        using var fp32 = Stories260K.Load();
        using var bf16 = ModelDirectory.Load(Stories260K.Directory, dtype: ScalarType.BFloat16);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = new Sampler(fp32).Sample([OnceUponATime], new SamplingOptions { Temperature = 0, MaxNewTokens = 40 }, null)[0].TokenIds;
        long[] sequence = [.. OnceUponATime.Select(i => (long)i), .. ids.Select(i => (long)i)];
        var input = tensor(sequence, [1, sequence.Length]);
        var positions = arange(sequence.Length, dtype: ScalarType.Int64).unsqueeze(0);

        var expected = fp32.Forward(input, positions);                                            // [1, T, V]
        var actual = bf16.Forward(input, positions);

        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        var difference = (actual.to_type(ScalarType.Float32) - expected).abs();
        // bf16 keeps 8 significant bits (relative rounding 2^-9 per value); a few roundings per layer through 5 layers
        // leave logits of size |z| within ~2^-5·|z|max — far below the gaps that decide greedy tokens here.
        var scale = expected.abs().max().item<float>();
        var worst = difference.max().item<float>();
        Assert.True(worst <= scale / 32, $"max |Δ logit| {worst} for logits up to {scale}");
        var agree = actual.argmax(-1).eq(expected.argmax(-1)).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(agree >= 0.9f, $"bf16 and fp32 agree on the top token at {agree:P0} of positions");
    }

    [Fact]
    public void Should_sample_with_a_bfloat16_cache_the_tokens_a_full_bfloat16_forward_predicts()
    {
        using var bf16 = ModelDirectory.Load(Stories260K.Directory, dtype: ScalarType.BFloat16);
        using var cache = bf16.CreateCache(1, 64);

        var completion = new Sampler(bf16).Sample([OnceUponATime], new SamplingOptions { Temperature = 0, MaxNewTokens = 20 }, null)[0];

        Assert.Equal(ScalarType.BFloat16, cache.Dtype);
        Assert.Equal(20, completion.TokenIds.Length);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] sequence = [.. OnceUponATime.Select(i => (long)i), .. completion.TokenIds.Select(i => (long)i)];
        var logits = bf16.Forward(tensor(sequence, [1, sequence.Length]), arange(sequence.Length, dtype: ScalarType.Int64).unsqueeze(0));
        var predicted = logits[0].narrow(0, OnceUponATime.Length - 1, 20).argmax(-1).data<long>().ToArray();
        var same = predicted.Zip(completion.TokenIds, (p, t) => p == t).Count(x => x);
        Assert.True(same >= 18, $"the cached bf16 decode matches a full bf16 forward on {same} of 20 greedy tokens");
    }

    [Fact]
    public void Should_round_a_float32_weight_buffer_into_a_bfloat16_replica()
    {
        using var source = TinyModels.Create(seed: 4);
        using var replica = new Dash.Model.Transformer.CausalLM(source.Config, dtype: ScalarType.BFloat16);
        var from = new FlatParameters(source.parameters());
        var to = new FlatParameters(replica.parameters());
        var buffer = new float[from.Count];
        from.CopyWeightsTo(buffer);

        to.CopyWeightsFrom(buffer);

        using var scope = NewDisposeScope();
        foreach (var ((name, expected), (_, actual)) in source.named_parameters().Zip(replica.named_parameters()))
            Assert.True(expected.to_type(ScalarType.BFloat16).eq(actual).all().item<bool>(), $"{name} is not the float32 weight rounded to bf16");
        var back = new float[to.Count];
        to.CopyWeightsTo(back);
        Assert.True(buffer.Zip(back).All(p => Math.Abs(p.First - p.Second) <= Math.Abs(p.First) / 256 + 1e-30f));
    }
}
