// Specifies next-token choice: top-k and top-p keep exactly the expected sets, draws follow the probabilities.
using Dash.Model.Sampling;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Sampling;

public sealed class TokenPickerSpecs
{
    private static readonly float[] Probabilities = [0.5f, 0.3f, 0.15f, 0.05f];

    [Theory]
    [InlineData(0, 1.0f, new[] { true, true, true, true })]
    [InlineData(3, 1.0f, new[] { true, true, true, false })]
    [InlineData(1, 1.0f, new[] { true, false, false, false })]
    [InlineData(0, 0.7f, new[] { true, true, false, false })]
    [InlineData(0, 0.45f, new[] { true, false, false, false })]
    [InlineData(0, 0.81f, new[] { true, true, true, false })]
    [InlineData(2, 0.9f, new[] { true, true, false, false })]
    public void Should_keep_exactly_the_top_k_and_nucleus_tokens(int topK, float topP, bool[] kept)
    {
        using var scope = NewDisposeScope();
        var logits = tensor(Probabilities.Select(p => MathF.Log(p)).ToArray(), [1, 4]);
        var filtered = TokenPicker.Filter(logits, new SamplingOptions { TopK = topK, TopP = topP });
        Assert.Equal(kept, filtered.isfinite().data<bool>().ToArray());
    }

    [Fact]
    public void Should_draw_tokens_with_their_probabilities_and_report_tempered_log_probs()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        const int draws = 20000;
        var logits = tensor(Probabilities.Select(p => MathF.Log(p)).ToArray(), [1, 4]).expand(draws, 4).contiguous();

        var (tokens, logProbs) = TokenPicker.Pick(logits, new SamplingOptions { Temperature = 1.0f }, generator);

        var ids = tokens.data<long>().ToArray();
        var lp = logProbs.data<float>().ToArray();
        for (var t = 0; t < 4; t++)
        {
            var frequency = ids.Count(i => i == t) / (double)draws;
            Assert.InRange(frequency, Probabilities[t] - 0.015, Probabilities[t] + 0.015);
        }
        for (var i = 0; i < 50; i++) Assert.Equal(MathF.Log(Probabilities[ids[i]]), lp[i], 4);
    }

    [Fact]
    public void Should_pick_the_argmax_when_greedy()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0.1f, 3f, 2f, -1f, 5f, 4f }, [2, 3]);
        var (tokens, _) = TokenPicker.Pick(logits, new SamplingOptions { Temperature = 0 }, null);
        Assert.Equal(new long[] { 1, 1 }, tokens.data<long>().ToArray());
    }

    public static TheoryData<float, int, float, bool> Settings => new()
    {
        { 1.0f, 50, 1.0f, false },   // the benchmark's settings: no division, top-k only
        { 0.9f, 50, 1.0f, false },   // the default run's
        { 0.9f, 20, 0.95f, false },
        { 1.2f, 98, 1.0f, false },   // k = V - 1
        { 1.0f, 0, 1.0f, false },    // plain multinomial
        { 0.8f, 5, 1.0f, true },     // bf16 logits
        { 0.0f, 0, 1.0f, false },    // greedy
    };

    /// <summary>The picker as it was before it skipped the division by temperature 1, gathered the picked logit before
    /// subtracting the normaliser and selected the k-th logit without sorting the top k: every step spelled out.</summary>
    private static (Tensor Tokens, Tensor LogProbs) Reference(Tensor logits, SamplingOptions options, Generator? generator)
    {
        var scaled = logits.to_type(ScalarType.Float32);
        if (options.Temperature > 0) scaled = scaled / options.Temperature;
        var logProbsAll = scaled - scaled.logsumexp(-1, keepdim: true);
        if (options.Temperature == 0)
        {
            var best = scaled.argmax(-1, keepdim: true);
            return (best.squeeze(-1), logProbsAll.gather(-1, best).squeeze(-1));
        }
        var tokens = multinomial(ReferenceFilter(scaled, options).softmax(-1), 1, replacement: true, generator: generator);
        return (tokens.squeeze(-1), logProbsAll.gather(-1, tokens).squeeze(-1));
    }

    private static Tensor ReferenceFilter(Tensor scaled, SamplingOptions options)
    {
        var filtered = scaled;
        if (options.TopK > 0 && options.TopK < scaled.shape[^1])
        {
            var (values, _) = filtered.topk(options.TopK, dim: -1);
            filtered = filtered.masked_fill(filtered.lt(values.narrow(-1, options.TopK - 1, 1)), float.NegativeInfinity);
        }
        if (options.TopP < 1.0f)
        {
            var (sorted, order) = filtered.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            var cut = sorted.masked_fill((probs.cumsum(-1) - probs).ge(options.TopP), float.NegativeInfinity);
            filtered = full_like(filtered, float.NegativeInfinity).scatter(-1, order, cut);
        }
        return filtered;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Should_draw_the_tokens_and_log_prob_bits_of_the_spelled_out_picker(float temperature, int topK, float topP, bool bfloat16)
    {
        using var scope = NewDisposeScope();
        var options = new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP };
        using var init = new Generator(17);
        // Continuous logits, and logits rounded to quarters, whose rows have many ties, also at the k-th largest value.
        var continuous = randn([64, 99], generator: init) * 3;
        var tied = (continuous * 4).round() / 4;
        using var first = new Generator(23);
        using var second = new Generator(23);

        for (var step = 0; step < 4; step++)
        {
            var logits = step % 2 == 0 ? continuous : tied;
            if (bfloat16) logits = logits.to_type(ScalarType.BFloat16);
            var (tokens, logProbs) = TokenPicker.Pick(logits, options, first);
            var (expectedTokens, expectedLogProbs) = Reference(logits, options, second);

            var scaled = logits.to_type(ScalarType.Float32) / (temperature > 0 ? temperature : 1);
            Assert.Equal(ReferenceFilter(scaled, options).isfinite().data<bool>().ToArray(), TokenPicker.Filter(scaled, options).isfinite().data<bool>().ToArray());
            Assert.Equal(expectedTokens.data<long>().ToArray(), tokens.data<long>().ToArray());
            Assert.Equal(expectedLogProbs.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits),
                logProbs.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }
}
