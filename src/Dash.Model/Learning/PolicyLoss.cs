// The RL and SFT losses as pure functions: clipped surrogate, k3 KL, cross-entropy, and their aggregation modes.
using static TorchSharp.torch;

namespace Dash.Model.Learning;

/// <summary>How per-token losses become one number.</summary>
public enum LossAggregation
{
    /// <summary>Sum over all completion tokens ÷ number of completion tokens in the whole batch.</summary>
    TokenMean,

    /// <summary>Mean over rows of each row's token mean.</summary>
    SequenceMean,

    /// <summary>Dr. GRPO: sum over all completion tokens ÷ (rows × max completion length).</summary>
    DrGrpo,
}

/// <summary>
/// The denominators of one optimizer batch, shared by all its micro-batches so that accumulated micro-batch losses
/// (and gradients) add up to the full-batch ones.
/// </summary>
public sealed record LossScale(int BatchRows, int MaxCompletionLength, long BatchTokens)
{
    /// <summary>The scale of the full batch <paramref name="rows"/>.</summary>
    public static LossScale For(IReadOnlyCollection<TokenRow> rows) =>
        new(rows.Count, rows.Max(r => r.CompletionIds.Length), rows.Sum(r => (long)r.CompletionIds.Length));
}

public static class PolicyLoss
{
    /// <summary>
    /// Per-token PPO clipped surrogate [B, C]: −min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A) with ρ = exp(logp − oldLogp).
    /// logProbs, oldLogProbs [B, C]; advantages [B].
    /// </summary>
    public static Tensor ClippedSurrogate(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, double epsilon = 0.2)
    {
        using var scope = NewDisposeScope();
        var ratio = (logProbs - oldLogProbs).exp();
        var a = advantages.to_type(ScalarType.Float32).unsqueeze(-1);                     // [B, 1]
        var unclipped = ratio * a;
        var clipped = ratio.clamp(1 - epsilon, 1 + epsilon) * a;
        return (-minimum(unclipped, clipped)).MoveToOuterDisposeScope();
    }

    /// <summary>Per-token k3 KL estimate [B, C]: exp(ref − logp) − (ref − logp) − 1 (≥ 0, unbiased for KL(π‖ref)).</summary>
    public static Tensor KlK3(Tensor logProbs, Tensor refLogProbs)
    {
        using var scope = NewDisposeScope();
        var d = refLogProbs - logProbs;
        return (d.exp() - d - 1).MoveToOuterDisposeScope();
    }

    /// <summary>Per-token SFT cross-entropy [B, C]: −log p(target).</summary>
    public static Tensor CrossEntropy(Tensor logProbs) => logProbs.neg();

    /// <summary>
    /// Reduces per-token losses [B, C] over the completion mask [B, C] (1 = real token) to a scalar, dividing by the
    /// whole batch's denominators in <paramref name="scale"/> so micro-batch losses sum to the full-batch loss.
    /// </summary>
    public static Tensor Aggregate(Tensor perToken, Tensor mask, LossAggregation mode, LossScale scale)
    {
        using var scope = NewDisposeScope();
        var masked = perToken * mask;
        var result = mode switch
        {
            LossAggregation.TokenMean => masked.sum() / Math.Max(1L, scale.BatchTokens),
            LossAggregation.SequenceMean => (masked.sum(-1) / mask.sum(-1).clamp_min(1)).sum() / scale.BatchRows,
            LossAggregation.DrGrpo => masked.sum() / ((double)scale.BatchRows * scale.MaxCompletionLength),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The GRPO objective of one (micro-)batch: Aggregate(surrogate + β·k3 KL). <paramref name="refLogProbs"/> may be
    /// null when β = 0 (no reference model needed).
    /// </summary>
    public static Tensor Grpo(Tensor logProbs, Tensor oldLogProbs, Tensor? refLogProbs, Tensor advantages, Tensor mask,
        LossAggregation mode, LossScale scale, double epsilon = 0.2, double beta = 0.0)
    {
        using var scope = NewDisposeScope();
        var perToken = ClippedSurrogate(logProbs, oldLogProbs, advantages, epsilon);
        if (beta != 0)
        {
            if (refLogProbs is null) throw new ArgumentException("beta != 0 needs reference log-probs.");
            perToken = perToken + beta * KlK3(logProbs, refLogProbs);
        }
        return Aggregate(perToken, mask, mode, scale).MoveToOuterDisposeScope();
    }
}
