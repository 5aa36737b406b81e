// What the sampler draws: temperature, top-k, top-p, stop tokens and length limit.
namespace Dash.Model.Sampling;

/// <summary>Sampling settings; temperature 0 means greedy (argmax) decoding.</summary>
public sealed record SamplingOptions
{
    /// <summary>Logits are divided by this before softmax; 0 = greedy.</summary>
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Keep only the k most likely tokens; 0 = off.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p; 1 = off.</summary>
    public float TopP { get; init; } = 1.0f;

    /// <summary>Most tokens generated per sequence (the finishing EOS/stop token included).</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Tokens that end a sequence with <see cref="FinishReason.Eos"/> (kept as its last completion token).</summary>
    public IReadOnlyList<int> EosIds { get; init; } = [];

    /// <summary>Extra tokens that end a sequence with <see cref="FinishReason.Stop"/> (kept as its last completion token).</summary>
    public IReadOnlyList<int> StopIds { get; init; } = [];

    /// <summary>The id used for left padding of prompts (never attended to).</summary>
    public int PadId { get; init; }

    public SamplingOptions Validate()
    {
        if (Temperature < 0 || float.IsNaN(Temperature)) throw new ArgumentException($"temperature = {Temperature} must be >= 0.");
        if (TopK < 0) throw new ArgumentException($"top_k = {TopK} must be >= 0 (0 = off).");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"top_p = {TopP} must be in (0, 1].");
        if (MaxNewTokens <= 0) throw new ArgumentException($"max_new_tokens = {MaxNewTokens} must be positive.");
        return this;
    }
}

/// <summary>Why a sequence stopped.</summary>
public enum FinishReason { Eos, Stop, Length }

/// <summary>
/// One sampled completion: its token ids, the sampler's log-probability of each (under the temperature-scaled
/// distribution before top-k/top-p filtering; under the raw distribution when greedy), and why it stopped.
/// </summary>
public sealed record SampledCompletion(int[] TokenIds, float[] LogProbs, FinishReason FinishReason);
