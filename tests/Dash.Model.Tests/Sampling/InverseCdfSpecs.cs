// The GPU sampling path: uniforms drawn on the CPU, the token found by inverse CDF on the device. Checked here on the CPU.
using Dash.Model.Sampling;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Sampling;

public sealed class InverseCdfSpecs
{
    [Fact]
    public void Should_pick_the_first_token_whose_cumulative_probability_exceeds_u()
    {
        using var probs = tensor(new float[] { 0.1f, 0.0f, 0.6f, 0.3f, 0.1f, 0.0f, 0.6f, 0.3f, 0.1f, 0.0f, 0.6f, 0.3f }, [3, 4]);
        using var u = tensor(new float[] { 0.05f, 0.1f, 0.95f }, [3, 1]);
        using var tokens = TokenPicker.DrawInverseCdf(probs, u);
        Assert.Equal(new long[] { 0, 2, 3 }, tokens.squeeze(-1).data<long>().ToArray());
    }

    [Fact]
    public void Should_never_draw_a_token_of_probability_zero_even_at_the_ends_of_the_unit_interval()
    {
        // Top-k masking leaves zeros at both ends of the vocabulary; u = 0 and u just below 1 are the risky draws.
        var row = new float[1000];
        row[10] = 0.25f;
        row[500] = 0.5f;
        row[700] = 0.25f;
        using var probs = tensor(row, [1, 1000]).expand(4, 1000).contiguous();
        using var u = tensor(new[] { 0.0f, 1e-9f, 0.99999994f, 0.5f }, [4, 1]);
        using var tokens = TokenPicker.DrawInverseCdf(probs, u);
        Assert.Equal(new long[] { 10, 10, 700, 500 }, tokens.squeeze(-1).data<long>().ToArray());
    }

    [Fact]
    public void Should_draw_tokens_with_their_probabilities()
    {
        const int Draws = 40_000;
        var p = new[] { 0.05f, 0.15f, 0.0f, 0.3f, 0.5f };
        using var probs = tensor(p, [1, 5]).expand(Draws, 5).contiguous();
        using var generator = new Generator(5);
        using var u = rand([Draws, 1], generator: generator);
        using var tokens = TokenPicker.DrawInverseCdf(probs, u);
        var counts = new int[5];
        foreach (var t in tokens.squeeze(-1).data<long>().ToArray()) counts[t]++;
        for (var i = 0; i < p.Length; i++)
        {
            var sigma = Math.Sqrt(Draws * p[i] * (1 - p[i]));
            Assert.InRange(counts[i], Draws * p[i] - 5 * sigma - 0.5, Draws * p[i] + 5 * sigma + 0.5); // 5 sigma: fails only on a real bias
        }
    }
}
