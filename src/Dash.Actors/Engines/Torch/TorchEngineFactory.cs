// Creates the real engines of a run: TorchSharp samplers and learner, and the math answer verifier as the reward.
using Dash.Actors.Settings;

namespace Dash.Actors.Engines.Torch;

public sealed class TorchEngineFactory(DashSettings settings, PolicyModels models) : IEngineFactory
{
    /// <summary>Optimizer steps of the whole run: steps × PPO epochs × mini-batches.</summary>
    public int TotalOptimizerSteps => Math.Max(1, settings.Run.Steps * settings.Learning.PpoEpochs * settings.Learning.MiniBatches);

    /// <summary>Sampler <paramref name="samplerId"/>'s replica, on its device (dash.sampling.devices round-robin).</summary>
    public IPolicySampler CreateSampler(int samplerId) =>
        new TorchPolicySampler(models, settings.Sampling, DevicePlacement.Sampler(settings, samplerId));

    /// <summary>The learner on dash.learning.device, its KL reference on dash.learning.reference-device.</summary>
    public IPolicyLearner CreateLearner() => new TorchPolicyLearner(models, settings.Learning, settings.Sampling, TotalOptimizerSteps,
        DevicePlacement.Learner(settings), DevicePlacement.Reference(settings));

    public IRewardScorer CreateScorer() => new VerifierScorer(settings);
}
