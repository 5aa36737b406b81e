// The DASH step as a plain single-threaded loop over the same engines: the baseline the actor pipeline is measured against.
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Algorithm;

/// <summary>
/// Does exactly the work of the pipeline for preemptive presets with one optimizer step per batch (dash, dash-nogf):
/// the same shards and seeds, the same scoring, filtering, packing and normalisation, one sampler, no actors, no
/// journal. With the same settings its final weights are bit-identical to the pipeline's.
/// </summary>
public static class PlainLoop
{
    /// <summary>Trains and returns the learner (the caller disposes it); checkpoints every step when a store is given.</summary>
    public static IPolicyLearner Train(DashSettings settings, ITrainingData data, IEngineFactory factory, CheckpointStore? checkpoints = null)
    {
        if (!settings.Sampling.Preemptive || settings.Learning.PpoEpochs != 1 || settings.Learning.MiniBatches != 1 || settings.Learning.Mode != LearningMode.Rl)
            throw new SettingsException("the plain loop implements preemptive RL presets with one optimizer step per batch (dash, dash-nogf, dash-kl).");
        using var sampler = factory.CreateSampler(0);
        var scorer = factory.CreateScorer();
        var learner = factory.CreateLearner();
        var weights = new float[learner.ParameterCount];
        learner.CopyWeights(weights);
        sampler.LoadWeights(weights);
        var g = settings.Sampling.GroupSize;
        var perShard = Math.Max(1, settings.Sampling.BatchSize / g);
        var samples = settings.Sampling.PromptsPerStep * g;
        for (long step = 0; step < settings.Run.Steps; step++)
        {
            var prompts = data.TrainPrompts(step, settings.Sampling.PromptsPerStep);
            var rows = new List<Rollout>(samples);
            for (int i = 0, shardId = 0; i < prompts.Length; i += perShard, shardId++)
            {
                var shard = new SampleShard(step, shardId, learner.Version, prompts[i..Math.Min(prompts.Length, i + perShard)], g,
                    Seeds.Derive(settings.Run.Seed, step, 0, shardId), Greedy: false);
                rows.AddRange(RewardVerifierActor.Score(scorer, SamplerActor.Sample(sampler, shard, learner.Version)).Batch.Rows);
            }
            var filtered = AdvantageFilterActor.Filter(new RolloutBatch(step, -1, learner.Version, [.. rows]), settings.Advantage, settings.Learning);
            var tokens = Math.Max(1, rows.Sum(r => (long)r.CompletionIds.Length));
            foreach (var micro in filtered.MicroBatches)
                learner.Accumulate([.. micro.Select(k => filtered.Kept.Rows[k])], samples, tokens);
            learner.Step();
            learner.CopyWeights(weights);
            sampler.LoadWeights(weights);
            checkpoints?.Write(step + 1, learner.Save);
        }
        return learner;
    }
}
