// The arithmetic of one optimizer step as a pure function of the settings: rounds, shards and their seeds, the learning schedule.
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Algorithm;

/// <summary>One sampler call's share of a round: a contiguous slice of the step's prompts and its random stream.</summary>
/// <param name="ShardId">Index of the shard within its round (0, 1, …).</param>
/// <param name="First">Index of the shard's first prompt among the prompts of the step (or of the evaluation).</param>
/// <param name="Count">How many prompts the shard holds (whole groups: each prompt gets group-size completions).</param>
/// <param name="Seed">Seed of the shard's random stream: <see cref="Seeds.Derive"/>(run seed, step id, round, shard id).</param>
public sealed record ShardPlan(int ShardId, int First, int Count, ulong Seed)
{
    /// <summary>The round of sampling the shard belongs to.</summary>
    public int Round { get; init; }

    /// <summary>The message that hands this shard to a sampler.</summary>
    public SampleShard ToMessage(PromptItem[] prompts, long stepId, long policyVersion, int groupSize, bool greedy) =>
        new(stepId, Round, ShardId, policyVersion, prompts[First..(First + Count)], groupSize, Seed, greedy);
}

/// <summary>One round of sampling: its prompts (a contiguous slice of the step's) and their shards.</summary>
public sealed record RoundPlan(int Round, int First, int Count, IReadOnlyList<ShardPlan> Shards);

/// <summary>One accumulation pass of the learner: rows, their micro-batches, the step's normalisers, and whether the
/// optimizer steps after it.</summary>
/// <param name="NormalizerRows">Rows the optimizer step averages over (the sampled batch before filtering, or a mini-batch's share).</param>
/// <param name="NormalizerTokens">Completion tokens the optimizer step averages over (token-mean aggregation).</param>
public sealed record LearnUpdate(RolloutBatch Batch, int[][] MicroBatches, int NormalizerRows, long NormalizerTokens, bool StepAfter);

/// <summary>
/// What one optimizer step of a run does, decided by the settings alone (the data decide only which rows survive the
/// filter and how many tokens they hold). DASH samples the whole batch in one round; the GRPO baseline samples one
/// training micro-batch per round and learns from it before the next; SFT samples nothing and learns from the
/// reference solutions. Rows are learned once (one optimizer step per training step) unless PPO reuses the batch for
/// <see cref="PpoEpochs"/> × <see cref="MiniBatches"/> optimizer steps. The coordinator, <see cref="PlainLoop"/> and
/// <c>dash simulate</c> all follow it.
/// </summary>
public sealed class StepPlan
{
    private readonly LearningSettings _learning;

    private StepPlan(DashSettings settings, long step)
    {
        var sampling = settings.Sampling;
        _learning = settings.Learning;
        Step = step;
        PromptsPerStep = sampling.PromptsPerStep;
        GroupSize = sampling.GroupSize;
        Samples = SamplesIn(settings.Learning);
        FilterTau = FilterTauIn(settings.Advantage, settings.Learning);
        PromptsPerShard = PromptsPerShardOf(sampling.BatchSize, sampling.GroupSize);
        PolicyLag = sampling.MaxPolicyLag;
        // DASH (preemptive) samples the whole batch at once; the GRPO baseline one training micro-batch per round.
        PromptsPerRound = !Samples || sampling.Preemptive ? PromptsPerStep : Math.Max(1, _learning.MicroBatchSize / GroupSize);
        var rounds = new List<RoundPlan>();
        for (int first = 0, round = 0; first < PromptsPerStep; first += PromptsPerRound, round++)
        {
            var count = Math.Min(PromptsPerRound, PromptsPerStep - first);
            rounds.Add(new RoundPlan(round, first, count, Samples ? Shards(first, count, PromptsPerShard, settings.Run.Seed, step, round) : []));
        }
        Rounds = rounds;
    }

    /// <summary>The plan of step <paramref name="step"/> (0-based) of a run with these settings.</summary>
    public static StepPlan For(DashSettings settings, long step) => new(settings, step);

    public long Step { get; }
    public int PromptsPerStep { get; }
    public int GroupSize { get; }

    /// <summary>Rows one step learns from (before filtering): prompts × group size.</summary>
    public int SamplesPerStep => PromptsPerStep * GroupSize;

    /// <summary>Whether the step samples completions (RL); SFT learns from reference solutions instead.</summary>
    public bool Samples { get; }

    /// <summary>Whether gradient filtering drops rows (RL with τ ≥ 0); SFT learns from every reference solution.</summary>
    public bool Filters => FilterTau >= 0;

    /// <summary>The filter's threshold: rows with |A| ≤ τ are dropped; −1 keeps every row.</summary>
    public float FilterTau { get; }

    public int PromptsPerShard { get; }
    public int PromptsPerRound { get; }

    /// <summary>How many optimizer steps behind the learner the samplers' weights are (dash.sampling.max-policy-lag):
    /// with 1, step t samples with the weights after t − 1 steps (step 0 with the initial ones) while the learner
    /// computes step t − 1.</summary>
    public int PolicyLag { get; }

    /// <summary>Whether the loss's importance ratio is taken against the samplers' recorded log-probs (the behaviour
    /// policy) instead of the learner's own pre-update ones: the samplers' weights may be older than the learner's.</summary>
    public bool OffPolicy => PolicyLag > 0;

    /// <summary>The rows as the learner takes them: off-policy, each carries its sampler's log-probs as the old
    /// log-probs of the ratio; on-policy, unchanged (the learner's detached log-probs, or PPO's pre-update pass).</summary>
    public IReadOnlyList<Rollout> AsLearned(IReadOnlyList<Rollout> rows) =>
        OffPolicy ? [.. rows.Select(r => r with { OldLogProbs = r.SamplerLogProbs })] : rows;

    /// <summary>The rounds of sampling, in order; the optimizer steps after the last one's rows are learned.</summary>
    public IReadOnlyList<RoundPlan> Rounds { get; }

    /// <summary>The most shards one round hands out (more samplers than this cannot all be busy).</summary>
    public int MaxShardsPerRound => Rounds.Max(r => r.Shards.Count);

    public int PpoEpochs => _learning.PpoEpochs;
    public int MiniBatches => _learning.MiniBatches;

    /// <summary>Whether PPO reuses the sampled batch for several optimizer steps (which needs the pre-update log-probs).</summary>
    public bool ReusesBatch => PpoEpochs > 1 || MiniBatches > 1;

    /// <summary>
    /// Whether the learner may start on a round's first micro-batches while its later shards are still being sampled:
    /// each row is learned once (no PPO reuse, whose mini-batches and old log-probs need the whole batch) and the loss is
    /// not normalised by the step's token count (token-mean knows it only once everything is sampled). The micro-batches
    /// and their order are the same either way, so the result is too.
    /// </summary>
    public bool StreamsLearning => !ReusesBatch && _learning.Aggregation != LossAggregation.TokenMean;

    /// <summary>Sampling shards a round of this plan holds (SFT's reference rows count as one).</summary>
    public int ShardsIn(int round) => Samples ? Rounds[round].Shards.Count : 1;

    /// <summary>Optimizer steps per training step when every mini-batch holds rows (a batch the filter emptied takes one).</summary>
    public int OptimizerSteps => ReusesBatch ? PpoEpochs * MiniBatches : 1;

    /// <summary>Whether <paramref name="round"/> is the step's last round of sampling.</summary>
    public bool IsLastRound(int round) => round == Rounds.Count - 1;

    /// <summary>Prompts one sampler call takes: the sampling batch size in completions, whole groups of <paramref name="groupSize"/>.</summary>
    public static int PromptsPerShardOf(int batchSize, int groupSize) => Math.Max(1, batchSize / groupSize);

    /// <summary>Whether a run of this learning mode samples (RL) or learns from reference solutions (SFT).</summary>
    public static bool SamplesIn(LearningSettings learning) => learning.Mode == LearningMode.Rl;

    /// <summary>The one rule for gradient filtering: RL filters by the configured τ; SFT learns from every reference
    /// solution (−1: keep every row).</summary>
    public static float FilterTauIn(AdvantageSettings advantage, LearningSettings learning) => learning.Mode == LearningMode.Rl ? advantage.FilterTau : -1;

    /// <summary>Shards of <paramref name="perShard"/> prompts over prompts first … first+count−1, seeded by (run seed, step id, round, shard).</summary>
    public static IReadOnlyList<ShardPlan> Shards(int first, int count, int perShard, long runSeed, long stepId, int round)
    {
        var shards = new List<ShardPlan>();
        for (int offset = 0, id = 0; offset < count; offset += perShard, id++)
            shards.Add(new ShardPlan(id, first + offset, Math.Min(perShard, count - offset), Seeds.Derive(runSeed, stepId, round, id)) { Round = round });
        return shards;
    }

    /// <summary>The step id an evaluation after <paramref name="stepsDone"/> steps samples under (negative: never a training step's).</summary>
    public static long EvalStepId(long stepsDone) => -1 - stepsDone;

    /// <summary>The shards of a held-out evaluation of <paramref name="problems"/> problems after <paramref name="stepsDone"/>
    /// steps: one greedy completion per problem, in shards of the sampling batch size (as <c>dash eval</c> takes them).</summary>
    public static IReadOnlyList<ShardPlan> EvalShards(DashSettings settings, long stepsDone, int problems) =>
        Shards(0, problems, PromptsPerShardOf(settings.Sampling.BatchSize, 1), settings.Run.Seed, EvalStepId(stepsDone), 0);

    /// <summary>
    /// Completion tokens the step's loss averages over (token-mean), given the rows sampled so far in the step: exact
    /// once the whole batch is sampled (DASH); the GRPO baseline, which learns before the rest is sampled, extrapolates
    /// from the rows sampled so far (as TRL does per micro-batch).
    /// </summary>
    public long TokenNormalizer(long sampledTokens, int sampledRows) =>
        sampledRows == 0 ? 1 : Math.Max(1, sampledTokens * SamplesPerStep / sampledRows);

    /// <summary>Packs rows into the learner's micro-batches (row and token limits of dash.learning), keeping their order.</summary>
    public int[][] Pack(IReadOnlyList<Rollout> rows) => PackOf(rows, _learning);

    /// <summary>Packs rows into micro-batches by <paramref name="learning"/>'s row and token limits, keeping their order.</summary>
    public static int[][] PackOf(IReadOnlyList<Rollout> rows, LearningSettings learning) =>
        Advantages.PackMicroBatches([.. rows.Select(r => r.PromptIds.Length + r.CompletionIds.Length)], learning.MicroBatchSize, learning.MicroBatchTokens);

    /// <summary>
    /// The learner's passes over one round's filtered rows when each row is learned once: one pass over the round's
    /// micro-batches, normalised by the whole step, with the optimizer step after the last round.
    /// </summary>
    public LearnUpdate[] Updates(int round, BatchFiltered filtered, long tokenNormalizer)
    {
        if (ReusesBatch) throw new InvalidOperationException("PPO reuses the batch: its passes come from PpoUpdates.");
        return [new LearnUpdate(filtered.Kept, filtered.MicroBatches, SamplesPerStep, tokenNormalizer, IsLastRound(round))];
    }

    /// <summary>
    /// PPO's passes over the filtered batch (rows carrying their pre-update log-probs): for every epoch, every non-empty
    /// mini-batch (a contiguous share of the rows) repacked into micro-batches, normalised by its share of the step and
    /// followed by an optimizer step. A batch the filter emptied still takes one (empty) optimizer step.
    /// </summary>
    public LearnUpdate[] PpoUpdates(RolloutBatch batch, long tokenNormalizer)
    {
        var rows = batch.Rows;
        var slices = Enumerable.Range(0, MiniBatches)
            .Select(i => rows[(i * rows.Length / MiniBatches)..((i + 1) * rows.Length / MiniBatches)])
            .Where(slice => slice.Length > 0)
            .ToArray();
        var updates = new List<LearnUpdate>();
        for (var epoch = 0; epoch < PpoEpochs; epoch++)
        {
            foreach (var slice in slices)
            {
                updates.Add(new LearnUpdate(batch with { Rows = slice }, Pack(slice), Math.Max(1, SamplesPerStep / MiniBatches),
                    Math.Max(1, tokenNormalizer / MiniBatches), StepAfter: true));
            }
        }
        if (updates.Count == 0) updates.Add(new LearnUpdate(batch with { Rows = [] }, [], SamplesPerStep, tokenNormalizer, StepAfter: true));
        return [.. updates];
    }
}
