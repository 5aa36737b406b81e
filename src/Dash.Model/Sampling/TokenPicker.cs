// Chooses the next token from last-position logits: greedy, or temperature + top-k + top-p sampling.
using static TorchSharp.torch;

namespace Dash.Model.Sampling;

/// <summary>Pure tensor functions that turn logits [B, V] into next tokens [B] and their log-probs [B].</summary>
public static class TokenPicker
{
    /// <summary>
    /// logits [B, V] → (tokens [B] int64, log-probs [B] float32). The log-prob is the token's under softmax(logits / T)
    /// (T = 1 when greedy); top-k/top-p only restrict which tokens can be drawn.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) Pick(Tensor logits, SamplingOptions options, Generator? generator) =>
        Pick(logits, options, probs =>
            // TorchSharp's generators live on the CPU (0.107 creates no CUDA generator), and a CUDA kernel refuses a
            // CPU generator: on a GPU the uniforms are drawn on the CPU and the token is found on the device.
            generator is not null && probs.device.type != TorchSharp.DeviceType.CPU
                ? DrawInverseCdf(probs, rand([probs.shape[0], 1], generator: generator).to(probs.device))
                : multinomial(probs, 1, replacement: true, generator: generator));               // [B, 1]

    /// <summary>As <see cref="Pick(Tensor, SamplingOptions, Generator?)"/>, drawing by inverse CDF from the given
    /// uniforms [B, 1] (on the logits' device).</summary>
    public static (Tensor Tokens, Tensor LogProbs) PickWithUniforms(Tensor logits, SamplingOptions options, Tensor uniforms) =>
        Pick(logits, options, probs => DrawInverseCdf(probs, uniforms));

    private static (Tensor Tokens, Tensor LogProbs) Pick(Tensor logits, SamplingOptions options, Func<Tensor, Tensor> draw)
    {
        using var scope = NewDisposeScope();
        var scaled = logits.dtype == ScalarType.Float32 ? logits : logits.to_type(ScalarType.Float32);
        // x / 1 is x exactly, so temperature 1 skips the division (one [B, V] kernel fewer per step).
        if (options.Temperature > 0 && options.Temperature != 1.0f) scaled = scaled / options.Temperature;
        var logNormaliser = scaled.logsumexp(-1, keepdim: true);                             // [B, 1]
        var tokens = options.Temperature == 0
            ? scaled.argmax(-1, keepdim: true)                                               // [B, 1]
            : draw(Filter(scaled, options).softmax(-1));
        // The picked logit minus the normaliser: the same subtraction as gathering from the full log-softmax [B, V],
        // so the same bits, without computing the other V - 1 log-probs.
        var picked = (scaled.gather(-1, tokens) - logNormaliser).squeeze(-1);
        return (tokens.squeeze(-1).MoveToOuterDisposeScope(), picked.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Inverse-CDF draw: probs [B, V] and uniforms [B, 1] in [0, 1) → tokens [B, 1] (int64), the first token whose
    /// cumulative probability exceeds u × (row total). Tokens of probability zero are never drawn. Summed in float64,
    /// so u &lt; 1 never reaches the row total and rounding cannot pick a masked token at the end of the vocabulary.
    /// </summary>
    public static Tensor DrawInverseCdf(Tensor probs, Tensor uniforms)
    {
        using var scope = NewDisposeScope();
        var cdf = probs.to_type(ScalarType.Float64).cumsum(-1);                                      // [B, V]
        var target = uniforms.to_type(ScalarType.Float64) * cdf.narrow(-1, probs.shape[^1] - 1, 1); // [B, 1]
        var tokens = searchsorted(cdf, target, right: true).clamp_max(probs.shape[^1] - 1);
        return tokens.MoveToOuterDisposeScope();
    }

    /// <summary>Sets logits outside top-k and outside the top-p nucleus to -inf. scaled [B, V] → [B, V]
    /// (<paramref name="scaled"/> itself when neither filter is on).</summary>
    public static Tensor Filter(Tensor scaled, SamplingOptions options)
    {
        var vocab = scaled.shape[^1];
        var useTopK = options.TopK > 0 && options.TopK < vocab;
        if (!useTopK && options.TopP >= 1.0f) return scaled;
        using var scope = NewDisposeScope();
        var result = scaled;
        if (useTopK)
        {
            // The k-th largest logit is the (V - k + 1)-th smallest: one selection per row, where topk also sorted the
            // k best (7x slower at [256, 99] on one core) only for the last of them to be read.
            var (kth, _) = result.kthvalue(vocab - options.TopK + 1, -1, keepdim: true);     // [B, 1]
            result = result.masked_fill(result.lt(kth), float.NegativeInfinity);
        }
        if (options.TopP < 1.0f)
        {
            var (sorted, order) = result.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            var before = probs.cumsum(-1) - probs;                                          // mass of strictly better tokens
            var cut = sorted.masked_fill(before.ge(options.TopP), float.NegativeInfinity);   // as Hugging Face: drop when ≥ p
            result = full_like(result, float.NegativeInfinity).scatter(-1, order, cut);
        }
        return result.MoveToOuterDisposeScope();
    }
}
