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
}
