// Each stage's work on one batch record as a pure function: the actors and the plain loop call the same code.
using Dash.Actors.Engines;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Algorithm;

public static class StepWork
{
    /// <summary>Samples one shard with an engine (the sampler's work): group-size completions per prompt, prompt by prompt.</summary>
    public static RolloutBatch Sample(IPolicySampler engine, SampleShard shard, long version)
    {
        var prompts = shard.Prompts.Select(p => p.PromptIds).ToArray();
        var completions = engine.Sample(prompts, shard.GroupSize, shard.Greedy, shard.Seed);
        if (completions.Count != prompts.Length * shard.GroupSize)
            throw new InvalidOperationException($"a sampler returned {completions.Count} completions for {prompts.Length}x{shard.GroupSize}.");
        var rows = new Rollout[completions.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var p = shard.Prompts[i / shard.GroupSize];
            var c = completions[i];
            rows[i] = new Rollout(p.GroupId, p.ProblemId, p.GoldAnswer, p.PromptIds, c.Tokens, c.LogProbs, c.Finish, c.Text, 0, 0, []);
        }
        return new RolloutBatch(shard.Step, shard.ShardId, version, rows) { Round = shard.Round };
    }

    /// <summary>Fills in every row's reward (the verifier's work).</summary>
    public static BatchScored Score(IRewardScorer scorer, RolloutBatch batch)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var correct = 0;
        var rows = new Rollout[batch.Rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = batch.Rows[i];
            var (reward, ok) = scorer.Score(row.GoldAnswer, row.CompletionText);
            if (ok) correct++;
            rows[i] = row with { Reward = reward };
        }
        return new BatchScored(batch with { Rows = rows }, correct, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Group advantages, gradient filtering (τ of <see cref="StepPlan.FilterTauIn"/>) and micro-batch packing of
    /// the survivors (the advantage filter's work).</summary>
    public static BatchFiltered Filter(RolloutBatch batch, AdvantageSettings advantage, LearningSettings learning)
    {
        var rewards = batch.Rows.Select(r => r.Reward).ToArray();
        var groups = batch.Rows.Select(r => r.GroupId).ToArray();
        var result = Advantages.Filter(rewards, groups, advantage.ScaleByStd, StepPlan.FilterTauIn(advantage, learning));
        var kept = result.Kept.Select(i => batch.Rows[i] with { Advantage = result.Advantages[i] }).ToArray();
        return new BatchFiltered(batch with { Rows = kept }, StepPlan.PackOf(kept, learning), result.Dropped, result.ZeroVarianceGroups);
    }

    /// <summary>SFT's batch: every prompt's reference solution as a completion with reward 1 (nothing is sampled).</summary>
    public static Rollout[] ReferenceRows(PromptItem[] prompts, Func<string, int[]> encodeCompletion) =>
        [.. prompts.Select(p => new Rollout(p.GroupId, p.ProblemId, p.GoldAnswer, p.PromptIds, encodeCompletion(p.Solution),
            [], FinishReason.Eos, p.Solution, 1, 1, []))];
}
