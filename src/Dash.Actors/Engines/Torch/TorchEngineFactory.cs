// Creates the real engines of a run: TorchSharp samplers and learner, and the math answer verifier as the reward.
using Dash.Actors.Settings;

namespace Dash.Actors.Engines.Torch;

public sealed class TorchEngineFactory(DashSettings settings, PolicyModels models) : IEngineFactory
{
    /// <summary>Optimizer steps of the whole run: steps × PPO epochs × mini-batches.</summary>
    public int TotalOptimizerSteps => Math.Max(1, settings.Run.Steps * settings.Learning.PpoEpochs * settings.Learning.MiniBatches);

    public IPolicySampler CreateSampler(int samplerId) => new TorchPolicySampler(models, settings.Sampling);

    public IPolicyLearner CreateLearner() => new TorchPolicyLearner(models, settings.Learning, settings.Sampling, TotalOptimizerSteps);

    public IRewardScorer CreateScorer() => new VerifierScorer(settings);
}
