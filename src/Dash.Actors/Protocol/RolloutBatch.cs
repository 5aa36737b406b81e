// The one batch record that crosses every actor boundary: prompts, completions, log-probs, rewards, advantages.
namespace Dash.Actors.Protocol;

/// <summary>Why a completion ended.</summary>
public enum FinishReason : byte
{
    Eos = 0,
    Stop = 1,
    Length = 2,
}

/// <summary>One prompt to sample a group of completions for.</summary>
/// <param name="GroupId">Index of the prompt within its step; completions of one prompt form a group.</param>
/// <param name="ProblemId">The problem's stable id (for logs and duplicate checks).</param>
/// <param name="PromptIds">The tokenized prompt.</param>
/// <param name="GoldAnswer">The reference answer the verifier compares against.</param>
/// <param name="Solution">A worked reference solution (SFT), or empty.</param>
public sealed record PromptItem(int GroupId, string ProblemId, int[] PromptIds, string GoldAnswer, string Solution);

/// <summary>One sampled completion and everything learned about it on its way to the learner.</summary>
/// <param name="SamplerLogProbs">Per completion token, the sampler's log-probability of the sampled token.</param>
/// <param name="OldLogProbs">Per completion token, the learner's log-probabilities before the step (PPO), or empty.</param>
public sealed record Rollout(
    int GroupId,
    string ProblemId,
    string GoldAnswer,
    int[] PromptIds,
    int[] CompletionIds,
    float[] SamplerLogProbs,
    FinishReason Finish,
    string CompletionText,
    float Reward,
    float Advantage,
    float[] OldLogProbs);

/// <summary>A batch of rollouts of one step, sampled with one policy version.</summary>
/// <param name="Step">The optimizer step these samples are for (0-based).</param>
/// <param name="ShardId">Which shard of the step's prompts (or -1 for a whole step).</param>
/// <param name="PolicyVersion">The policy version (number of optimizer steps applied) that sampled every row.</param>
public sealed record RolloutBatch(long Step, int ShardId, long PolicyVersion, Rollout[] Rows)
{
    /// <summary>The round of sampling within the step the rows belong to.</summary>
    public int Round { get; init; }

    public int CompletionTokens => Rows.Sum(r => r.CompletionIds.Length);
}
