// Specifies that the CPU decode-attention kernel computes what libtorch's scaled-dot-product attention computes.
using Dash.Model.Config;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class DecodeAttentionSpecs
{
    // Query [B, KvH, G, d] against the first `length` of `capacity` cache positions, as libtorch computes it.
    private static Tensor Reference(Tensor query, Tensor keys, Tensor values, int length, Tensor? visible)
    {
        var (b, group) = (query.shape[0], query.shape[2]);
        using var k = keys.narrow(2, 0, length);
        using var v = values.narrow(2, 0, length);
        using var folded = visible?.view(b, 1, 1, length).expand(b, 1, group, length);
        return nn.functional.scaled_dot_product_attention(query, k, v, folded);
    }

    [Theory]
    [InlineData(16, 2, 2, 32, 48, false)]  // the built-in model's heads at 48 positions
    [InlineData(16, 2, 2, 32, 53, true)]   // a length that is not a multiple of 8, left padding
    [InlineData(4, 1, 7, 64, 17, true)]    // seven folded query heads, Qwen2.5-0.5B's head size
    [InlineData(3, 2, 1, 12, 9, false)]    // a head size that is not a multiple of 8 (the scalar path)
    [InlineData(2, 3, 3, 20, 1, false)]    // one position
    public void Should_equal_libtorch_attention_over_the_cache(int b, int kvHeads, int group, int headDim, int length, bool padded)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var capacity = length + 5;
        var query = randn([b, kvHeads, group, headDim], generator: generator) * 2;
        var keys = randn([b, kvHeads, capacity, headDim], generator: generator) * 2;
        var values = randn([b, kvHeads, capacity, headDim], generator: generator);
        Tensor? visible = null;
        if (padded)
        {
            // Row r has r % 4 left-padding slots; the last slot (the new token) is always visible.
            var real = new bool[b * length];
            for (var r = 0; r < b; r++)
                for (var j = 0; j < length; j++) real[r * length + j] = j >= Math.Min(r % 4, length - 1);
            visible = tensor(real, [b, length]);
        }

        var expected = Reference(query, keys, values, length, visible);
        var actual = DecodeAttention.Run(query, keys, values, length, visible);

        Assert.Equal(expected.shape, actual.shape);
        var error = (actual - expected).abs().max().item<float>();
        Assert.True(error < 1e-5f, $"max |Δ| {error}");
    }

    [Fact]
    public void Should_ignore_what_masked_slots_hold()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var (b, kvHeads, group, headDim, length) = (4, 2, 2, 32, 24);
        var query = randn([b, kvHeads, group, headDim], generator: generator);
        var keys = randn([b, kvHeads, length, headDim], generator: generator);
        var values = randn([b, kvHeads, length, headDim], generator: generator);
        var visible = ones([b, length], dtype: ScalarType.Bool);
        visible.narrow(1, 0, 5).fill_(false);
        var before = DecodeAttention.Run(query, keys, values, length, visible);

        keys.narrow(2, 0, 5).fill_(1e6f);
        values.narrow(2, 0, 5).fill_(-1e6f);
        var after = DecodeAttention.Run(query, keys, values, length, visible);

        Assert.True(before.eq(after).all().item<bool>());
    }

    [Fact]
    public void Should_give_the_same_bits_with_one_or_two_threads()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var query = randn([64, 2, 2, 32], generator: generator);
        var keys = randn([64, 2, 80, 32], generator: generator);
        var values = randn([64, 2, 80, 32], generator: generator);
        var threads = get_num_threads();
        try
        {
            set_num_threads(1);
            var one = DecodeAttention.Run(query, keys, values, 70, null);
            set_num_threads(2);
            var two = DecodeAttention.Run(query, keys, values, 70, null);
            Assert.True(one.eq(two).all().item<bool>());
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Should_decode_a_padded_batch_as_libtorch_attention_does()
    {
        // 16 sequences × 2 KV heads: enough pairs for the model to take the kernel on a decode step.
        var config = ModelConfig.Tiny(40) with { NumHiddenLayers = 2, HiddenSize = 64, IntermediateSize = 96, NumAttentionHeads = 4, NumKeyValueHeads = 2 };
        using var model = new CausalLM(config);
        using (var init = new Generator(21)) model.InitializeWeights(init);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        const int b = 16, prompt = 6, steps = 5;
        var ids = new long[b * prompt];
        var positions = new long[b * prompt];
        var real = new bool[b * (prompt + steps)];
        for (var r = 0; r < b; r++)
        {
            var pad = r % 3;
            for (var j = 0; j < prompt; j++)
            {
                ids[r * prompt + j] = j < pad ? 0 : 1 + (r * 7 + j * 3) % 39;
                positions[r * prompt + j] = Math.Max(0, j - pad);
            }
            for (var j = 0; j < prompt + steps; j++) real[r * (prompt + steps) + j] = j >= pad;
        }
        var mask = tensor(real, [b, prompt + steps]);

        Tensor Decode(bool kernel)
        {
            var previous = DecodeAttention.Enabled;
            DecodeAttention.Enabled = kernel;
            try
            {
                using var cache = model.CreateCache(b, prompt + steps);
                var logits = model.Forward(tensor(ids, [b, prompt]), tensor(positions, [b, prompt]), mask.narrow(1, 0, prompt), cache);
                var all = new List<Tensor>();
                var next = logits.narrow(1, prompt - 1, 1).argmax(-1);
                var position = tensor(positions, [b, prompt]).narrow(1, prompt - 1, 1) + 1;
                for (var s = 0; s < steps; s++)
                {
                    var step = model.Forward(next, position, mask.narrow(1, 0, prompt + s + 1), cache);
                    all.Add(step);
                    next = step.argmax(-1);
                    position = position + 1;
                }
                return cat(all, 1);
            }
            finally
            {
                DecodeAttention.Enabled = previous;
            }
        }

        var withKernel = Decode(kernel: true);
        var withLibtorch = Decode(kernel: false);

        var error = (withKernel - withLibtorch).abs().max().item<float>();
        Assert.True(error < 1e-5f, $"max |Δ logit| {error}");
        Assert.True(withKernel.argmax(-1).eq(withLibtorch.argmax(-1)).all().item<bool>());
    }
}
