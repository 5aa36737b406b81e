// Per-token log-probabilities and entropies of completion tokens under a model (logits divided by temperature).
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Learning;

/// <summary>Pure functions from logits to the per-token quantities the losses need.</summary>
public static class CompletionLogProbs
{
    /// <summary>
    /// Runs <paramref name="model"/> over the batch and returns log p(completion token) [B, C] under
    /// softmax(logits / temperature); the LM head runs only on the C predicting positions. Differentiable.
    /// </summary>
    public static Tensor Compute(CausalLM model, TokenBatch batch, float temperature = 1.0f)
    {
        using var scope = NewDisposeScope();
        var logits = PredictingLogits(model, batch);
        return FromLogits(logits, batch.Targets, temperature).MoveToOuterDisposeScope();
    }

    /// <summary>Logits [B, C, V] at the positions that predict the completion tokens (columns P − 1 … P + C − 2).</summary>
    public static Tensor PredictingLogits(CausalLM model, TokenBatch batch)
    {
        using var scope = NewDisposeScope();
        var hidden = model.HiddenStates(batch.InputIds, batch.PositionIds, batch.AttentionMask);      // [B, P + C, D]
        var predicting = hidden.narrow(1, batch.PromptLength - 1, batch.CompletionLength);          // [B, C, D]
        return model.Logits(predicting).MoveToOuterDisposeScope();                                  // [B, C, V]
    }

    /// <summary>logits [B, C, V], targets [B, C] → log-probs [B, C] = gather(z, target) − logsumexp(z), z = logits / T.</summary>
    public static Tensor FromLogits(Tensor logits, Tensor targets, float temperature = 1.0f)
    {
        if (temperature <= 0) throw new ArgumentException($"temperature = {temperature} must be positive for log-probs.");
        using var scope = NewDisposeScope();
        var z = logits.to_type(ScalarType.Float32);
        if (temperature != 1.0f) z = z / temperature;
        var picked = z.gather(-1, targets.unsqueeze(-1)).squeeze(-1);                               // [B, C]
        return (picked - z.logsumexp(-1, keepdim: false)).MoveToOuterDisposeScope();
    }

    /// <summary>logits [B, C, V] → entropy [B, C] of softmax(logits / T), in nats.</summary>
    public static Tensor Entropy(Tensor logits, float temperature = 1.0f)
    {
        using var scope = NewDisposeScope();
        var z = logits.to_type(ScalarType.Float32);
        if (temperature != 1.0f) z = z / temperature;
        var logP = z.log_softmax(-1);
        return (-(logP.exp() * logP).sum(-1)).MoveToOuterDisposeScope();
    }
}
