// The compute behind the actors: samplers, learners and reward scorers, as plain interfaces over arrays.
using Dash.Actors.Protocol;

namespace Dash.Actors.Engines;

/// <summary>How completions are sampled.</summary>
public sealed record SamplingSettings(float Temperature, int TopK, float TopP, int MaxNewTokens, int BatchSize);

/// <summary>One completion as a sampler produced it.</summary>
public sealed record SampledCompletion(int[] Tokens, float[] LogProbs, FinishReason Finish, string Text);

/// <summary>A policy replica that samples completions. Owned by one sampler actor and used from its thread only.</summary>
public interface IPolicySampler : IDisposable
{
    /// <summary>
    /// Samples <paramref name="groupSize"/> completions for every prompt, returned prompt by prompt
    /// (prompt 0's group first). The same seed, weights and inputs give the same completions.
    /// </summary>
    IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<int[]> prompts, int groupSize, bool greedy, ulong seed);

    /// <summary>Replaces every weight with the flat vector (state-dict order).</summary>
    void LoadWeights(ReadOnlySpan<float> weights);
}

/// <summary>What one accumulation pass computed.</summary>
public sealed record AccumulateStats(int Rows, int Tokens, double Loss, double Kl);

/// <summary>What one optimizer step did.</summary>
public sealed record OptimizerStats(double GradNorm, double LearningRate);

/// <summary>The learner: model, optimizer and optional frozen reference. Owned by the gradient accumulator actor.</summary>
public interface IPolicyLearner : IDisposable
{
    /// <summary>Number of floats in the flat weight vector.</summary>
    int ParameterCount { get; }

    /// <summary>Optimizer steps taken so far: the policy version of the current weights.</summary>
    long Version { get; }

    /// <summary>Copies the current weights into <paramref name="destination"/> (length <see cref="ParameterCount"/>).</summary>
    void CopyWeights(Span<float> destination);

    /// <summary>Per row, the current policy's log-probabilities of its completion tokens (no gradient).</summary>
    float[][] LogProbs(IReadOnlyList<Rollout> rows);

    /// <summary>
    /// Forward and backward one micro-batch, adding its gradient. The loss is normalised by the whole optimizer step's
    /// size (<paramref name="normalizerRows"/> rows, <paramref name="normalizerTokens"/> completion tokens), so the
    /// micro-batch gradients add up to the full-batch gradient.
    /// </summary>
    AccumulateStats Accumulate(IReadOnlyList<Rollout> rows, int normalizerRows, long normalizerTokens);

    /// <summary>Clips the accumulated gradient, steps the optimizer, zeroes gradients; increments <see cref="Version"/>.</summary>
    OptimizerStats Step();

    /// <summary>Writes weights, optimizer and schedule state (everything needed to continue bit-exactly) into a folder.</summary>
    void Save(string directory);

    /// <summary>Restores what <see cref="Save"/> wrote; the next <see cref="Step"/> equals an uninterrupted run's.</summary>
    void Load(string directory);
}

/// <summary>Scores a completion against a gold answer: the reward RL learns from.</summary>
public interface IRewardScorer
{
    /// <summary>The reward (1 correct, 0 wrong, plus any format reward) and whether the answer is correct.</summary>
    (float Reward, bool Correct) Score(string goldAnswer, string completion);
}

/// <summary>Creates engines inside the actors that own them (so each is built on its owner's thread).</summary>
public interface IEngineFactory
{
    IPolicySampler CreateSampler(int samplerId);
    IPolicyLearner CreateLearner();
    IRewardScorer CreateScorer();
}
