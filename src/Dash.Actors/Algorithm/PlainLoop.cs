// The DASH step as a plain single-threaded loop over the same engines: the baseline the actor pipeline is measured against.
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Algorithm;

/// <summary>
/// Does exactly the work of the pipeline, step by step as <see cref="StepPlan"/> lays it out (rounds, shards and
/// seeds, scoring, filtering, packing, normalisers, PPO passes), with one sampler, no actors and no journal. With the
/// same settings its final weights are bit-identical to the pipeline's.
/// </summary>
public static class PlainLoop
{
    /// <summary>Trains and returns the learner (the caller disposes it); checkpoints every step when a store is given, and
    /// calls <paramref name="stepDone"/> with the step's number once it is done (its checkpoint written).</summary>
    public static IPolicyLearner Train(DashSettings settings, ITrainingData data, IEngineFactory factory, CheckpointStore? checkpoints = null,
        Action<long>? stepDone = null)
    {
        using var sampler = factory.CreateSampler(0);
        var scorer = factory.CreateScorer();
        var learner = factory.CreateLearner();
        var weights = new float[learner.ParameterCount];
        learner.CopyWeights(weights);
        sampler.LoadWeights(weights);
        var version = learner.Version; // The sampler's weights: every round of the step samples with them.
        for (long step = 0; step < settings.Run.Steps; step++)
        {
            var plan = StepPlan.For(settings, step);
            var prompts = data.TrainPrompts(step, plan.PromptsPerStep);
            var sampled = new List<Rollout>(plan.SamplesPerStep);
            // With a policy lag the next step samples with the weights this step starts from (step 0's and 1's: the initial ones).
            var before = learner.Version;
            if (plan.OffPolicy && step > 0) learner.CopyWeights(weights);
            foreach (var round in plan.Rounds)
            {
                var rows = plan.Samples
                    ? round.Shards.SelectMany(s => StepWork.Score(scorer, StepWork.Sample(sampler, s.ToMessage(prompts, step, version, plan.GroupSize, greedy: false), version)).Batch.Rows).ToArray()
                    : StepWork.ReferenceRows(prompts[round.First..(round.First + round.Count)], data.EncodeCompletion);
                sampled.AddRange(rows);
                var filtered = StepWork.Filter(new RolloutBatch(step, -1, version, rows), settings.Advantage, settings.Learning);
                var tokens = plan.TokenNormalizer(sampled.Sum(r => (long)r.CompletionIds.Length), sampled.Count);
                var updates = plan.ReusesBatch ? plan.PpoUpdates(WithOldLogProbs(learner, plan, filtered.Kept), tokens) : plan.Updates(round.Round, filtered, tokens);
                foreach (var update in updates)
                {
                    var learned = plan.AsLearned(update.Batch.Rows);
                    foreach (var micro in update.MicroBatches)
                        learner.Accumulate([.. micro.Select(k => learned[k])], update.NormalizerRows, update.NormalizerTokens);
                    if (update.StepAfter) learner.Step();
                }
            }
            if (!plan.OffPolicy)
            {
                learner.CopyWeights(weights);
                sampler.LoadWeights(weights);
                version = learner.Version;
            }
            else if (step > 0)
            {
                sampler.LoadWeights(weights); // Copied before this step's learning.
                version = before;
            }
            checkpoints?.Write(step + 1, learner.Save);
            stepDone?.Invoke(step);
        }
        return learner;
    }

    /// <summary>PPO's pre-update log-probs: the learner's own on-policy, the samplers' (the behaviour policy's) off-policy.</summary>
    private static RolloutBatch WithOldLogProbs(IPolicyLearner learner, StepPlan plan, RolloutBatch batch)
    {
        if (plan.OffPolicy) return batch with { Rows = [.. plan.AsLearned(batch.Rows)] };
        var old = learner.LogProbs(batch.Rows);
        return batch with { Rows = [.. batch.Rows.Select((r, i) => r with { OldLogProbs = old[i] })] };
    }
}
