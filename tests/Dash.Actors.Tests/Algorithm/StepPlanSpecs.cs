// The step arithmetic as a pure function of the settings: rounds, shards, seeds, the learning passes and normalisers.
using Dash.Actors.Algorithm;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Algorithm;

public sealed class StepPlanSpecs
{
    private static DashSettings Settings(string algorithm, params string[] sets) =>
        ConfigLoader.Load(sets: [
            "run.seed=7", "sampling.prompts-per-step=8", "sampling.group-size=4", "sampling.batch-size=8",
            "learning.micro-batch-size=8", .. sets,
        ], algorithm: algorithm).Settings;

    private static Rollout Row(int group, int completionTokens, float reward = 0) =>
        new(group, $"p{group}", "42", [1, 2], new int[completionTokens], new float[completionTokens], FinishReason.Eos, "", reward, 0, []);

    [Fact]
    public void Should_sample_the_whole_batch_in_one_round_of_batch_size_shards_with_dash()
    {
        var plan = StepPlan.For(Settings("dash"), step: 5);

        var round = Assert.Single(plan.Rounds);
        Assert.Equal((0, 0, 8), (round.Round, round.First, round.Count));
        Assert.Equal([(0, 0, 2), (1, 2, 2), (2, 4, 2), (3, 6, 2)], round.Shards.Select(s => (s.ShardId, s.First, s.Count)));
        Assert.Equal(round.Shards.Select(s => Seeds.Derive(7, 5, 0, s.ShardId)), round.Shards.Select(s => s.Seed));
        Assert.Equal(32, plan.SamplesPerStep);
        Assert.True(plan.IsLastRound(0));
    }

    [Fact]
    public void Should_sample_one_training_micro_batch_per_round_in_the_grpo_baseline()
    {
        var plan = StepPlan.For(Settings("grpo", "learning.micro-batch-size=8"), step: 2);

        Assert.Equal([(0, 0, 2), (1, 2, 2), (2, 4, 2), (3, 6, 2)], plan.Rounds.Select(r => (r.Round, r.First, r.Count)));
        Assert.All(plan.Rounds, r => Assert.Equal([(0, r.First, 2, Seeds.Derive(7, 2, r.Round, 0))],
            r.Shards.Select(s => (s.ShardId, s.First, s.Count, s.Seed))));
        Assert.Equal([false, false, false, true], plan.Rounds.Select(r => plan.IsLastRound(r.Round)));
    }

    [Fact]
    public void Should_give_the_last_shard_and_round_whatever_prompts_are_left()
    {
        var dash = StepPlan.For(Settings("dash", "sampling.prompts-per-step=7"), 0);
        var grpo = StepPlan.For(Settings("grpo", "sampling.prompts-per-step=7", "learning.micro-batch-size=12"), 0);

        Assert.Equal([2, 2, 2, 1], dash.Rounds[0].Shards.Select(s => s.Count));
        Assert.Equal([3, 3, 1], grpo.Rounds.Select(r => r.Count));
        Assert.Equal([(0, 0, 2), (1, 2, 1)], grpo.Rounds[0].Shards.Select(s => (s.ShardId, s.First, s.Count)));
        Assert.Equal(2, grpo.MaxShardsPerRound);
    }

    [Fact]
    public void Should_be_a_pure_function_of_settings_and_step()
    {
        var settings = Settings("dash");
        var seeds = (long step) => StepPlan.For(settings, step).Rounds.SelectMany(r => r.Shards).Select(s => s.Seed).ToArray();

        Assert.Equal(seeds(3), seeds(3));
        Assert.NotEqual(seeds(3), seeds(4));
        Assert.Equal(8, seeds(3).Concat(seeds(4)).Distinct().Count());
        Assert.NotEqual(seeds(3), StepPlan.For(Settings("dash", "run.seed=8"), 3).Rounds[0].Shards.Select(s => s.Seed));
    }

    [Theory]
    [InlineData("dash", true, true, 0.1f)]
    [InlineData("dash-nogf", true, false, -1f)]
    [InlineData("grpo", true, false, -1f)]
    [InlineData("sft", false, false, -1f)]
    public void Should_sample_and_filter_only_where_the_algorithm_does(string algorithm, bool samples, bool filters, float tau)
    {
        var plan = StepPlan.For(Settings(algorithm), 0);

        Assert.Equal((samples, filters, tau), (plan.Samples, plan.Filters, plan.FilterTau));
        Assert.All(plan.Rounds, r => Assert.Equal(samples, r.Shards.Count > 0));
    }

    [Fact]
    public void Should_keep_every_reference_solution_in_sft_even_with_a_filter_threshold_set()
    {
        var settings = Settings("sft", "advantage.filter-tau=0.5");
        var rows = Enumerable.Range(0, 8).Select(i => Row(i / 4, 3, reward: 1)).ToArray(); // all equal rewards: A = 0

        var filtered = StepWork.Filter(new RolloutBatch(0, -1, 0, rows), settings.Advantage, settings.Learning);
        var rl = StepWork.Filter(new RolloutBatch(0, -1, 0, rows), settings.Advantage, settings.Learning with { Mode = LearningMode.Rl });

        Assert.Equal(-1f, StepPlan.For(settings, 0).FilterTau);
        Assert.Equal(8, filtered.Kept.Rows.Length);
        Assert.Empty(rl.Kept.Rows);
    }

    [Theory]
    [InlineData("dash", 1, false)]
    [InlineData("grpo", 1, false)]
    [InlineData("ppo-multi", 3, true)]
    [InlineData("ppo-mini", 4, true)]
    public void Should_count_the_optimizer_steps_of_each_preset(string algorithm, int steps, bool reuses)
    {
        var plan = StepPlan.For(Settings(algorithm), 0);

        Assert.Equal((steps, reuses), (plan.OptimizerSteps, plan.ReusesBatch));
    }

    [Fact]
    public void Should_learn_each_round_once_normalised_by_the_whole_step_and_step_after_the_last_round()
    {
        var plan = StepPlan.For(Settings("grpo", "learning.micro-batch-size=8"), 0);
        var kept = new RolloutBatch(0, -1, 0, [Row(0, 3), Row(0, 5)]);
        var filtered = new BatchFiltered(kept, [[0, 1]], 0, 0);

        var first = Assert.Single(plan.Updates(0, filtered, tokenNormalizer: 96));
        var last = Assert.Single(plan.Updates(3, filtered, tokenNormalizer: 96));

        Assert.Equal((kept, 32, 96L, false), (first.Batch, first.NormalizerRows, first.NormalizerTokens, first.StepAfter));
        Assert.Equal([[0, 1]], first.MicroBatches);
        Assert.True(last.StepAfter);
        Assert.Throws<InvalidOperationException>(() => StepPlan.For(Settings("ppo-mini"), 0).Updates(0, filtered, 96));
    }

    [Fact]
    public void Should_split_ppo_mini_batches_into_contiguous_shares_each_with_an_optimizer_step()
    {
        var plan = StepPlan.For(Settings("ppo-mini", "learning.micro-batch-size=2"), 0);
        var batch = new RolloutBatch(0, -1, 0, [.. Enumerable.Range(0, 10).Select(i => Row(i / 4, 1 + i))]);

        var updates = plan.PpoUpdates(batch, tokenNormalizer: 90);

        Assert.Equal([2, 3, 2, 3], updates.Select(u => u.Batch.Rows.Length));
        Assert.Equal(batch.Rows, updates.SelectMany(u => u.Batch.Rows));
        Assert.All(updates, u => Assert.Equal((8, 22L, true), (u.NormalizerRows, u.NormalizerTokens, u.StepAfter)));
        Assert.Equal([[0, 1], [2]], updates[1].MicroBatches);
    }

    [Fact]
    public void Should_pass_over_the_whole_batch_once_per_ppo_epoch()
    {
        var plan = StepPlan.For(Settings("ppo-multi"), 0);
        var batch = new RolloutBatch(0, -1, 0, [Row(0, 2), Row(0, 3), Row(1, 4)]);

        var updates = plan.PpoUpdates(batch, tokenNormalizer: 50);

        Assert.Equal(3, updates.Length);
        Assert.All(updates, u => Assert.Equal(batch.Rows, u.Batch.Rows));
        Assert.All(updates, u => Assert.Equal((32, 50L, true), (u.NormalizerRows, u.NormalizerTokens, u.StepAfter)));
    }

    [Fact]
    public void Should_take_one_empty_optimizer_step_when_the_filter_kept_nothing()
    {
        var update = Assert.Single(StepPlan.For(Settings("ppo-mini"), 0).PpoUpdates(new RolloutBatch(0, -1, 0, []), 40));

        Assert.Empty(update.Batch.Rows);
        Assert.Empty(update.MicroBatches);
        Assert.Equal((32, 40L, true), (update.NormalizerRows, update.NormalizerTokens, update.StepAfter));
    }

    [Fact]
    public void Should_extrapolate_the_token_normaliser_from_the_rows_sampled_so_far()
    {
        var plan = StepPlan.For(Settings("grpo"), 0); // 32 samples per step

        Assert.Equal(80, plan.TokenNormalizer(sampledTokens: 10, sampledRows: 4));
        Assert.Equal(77, plan.TokenNormalizer(77, 32)); // the whole batch: exact
        Assert.Equal(1, plan.TokenNormalizer(0, 0));
        Assert.Equal(1, plan.TokenNormalizer(0, 8));
    }

    [Fact]
    public void Should_evaluate_greedily_in_shards_of_the_batch_size_under_a_negative_step_id()
    {
        var shards = StepPlan.EvalShards(Settings("dash"), stepsDone: 4, problems: 20);

        Assert.Equal(-5, StepPlan.EvalStepId(4));
        Assert.Equal([(0, 0, 8), (1, 8, 8), (2, 16, 4)], shards.Select(s => (s.ShardId, s.First, s.Count)));
        Assert.Equal(shards.Select(s => Seeds.Derive(7, -5, 0, s.ShardId)), shards.Select(s => s.Seed));
    }

    [Fact]
    public void Should_turn_a_shard_into_the_sampler_message_with_its_prompts()
    {
        var prompts = Enumerable.Range(0, 8).Select(i => new PromptItem(i, $"p{i}", [i], "42", "")).ToArray();
        var shard = StepPlan.For(Settings("dash"), 1).Rounds[0].Shards[2];

        var message = shard.ToMessage(prompts, stepId: 1, policyVersion: 3, groupSize: 4, greedy: false);

        Assert.Equal((1L, 2, 3L, 4, shard.Seed, false), (message.Step, message.ShardId, message.PolicyVersion, message.GroupSize, message.Seed, message.Greedy));
        Assert.Equal(["p4", "p5"], message.Prompts.Select(p => p.ProblemId));
    }
}
