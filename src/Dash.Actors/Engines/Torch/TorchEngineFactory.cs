// Creates the real engines of a run: TorchSharp samplers and learner, and the math answer verifier as the reward.
using Dash.Actors.Settings;
using Dash.Tasks.Grading;

namespace Dash.Actors.Engines.Torch;

public sealed class TorchEngineFactory(DashSettings settings, PolicyModels models) : IEngineFactory
{
    /// <summary>Optimizer steps of the whole run: steps × PPO epochs × mini-batches.</summary>
    public int TotalOptimizerSteps => Math.Max(1, settings.Run.Steps * settings.Learning.PpoEpochs * settings.Learning.MiniBatches);

    public IPolicySampler CreateSampler(int samplerId) => new TorchPolicySampler(models, settings.Sampling);

    public IPolicyLearner CreateLearner() => new TorchPolicyLearner(models, settings.Learning, settings.Sampling, TotalOptimizerSteps);

    public IRewardScorer CreateScorer() => new VerifierScorer(settings.Verifier);
}

/// <summary>The reward: 1 when the verifier judges the completion's answer equal to the gold answer (plus format reward).</summary>
public sealed class VerifierScorer(VerifierSettings settings) : IRewardScorer
{
    private readonly VerifierOptions _options = VerifierOptions.Default with
    {
        TimeBudget = TimeSpan.FromMilliseconds(settings.BudgetMs),
        FormatRewardWeight = settings.FormatReward,
    };

    public (float Reward, bool Correct) Score(string goldAnswer, string completion)
    {
        var verdict = AnswerVerifier.Verify(completion, goldAnswer, _options);
        return ((float)AnswerVerifier.Reward(verdict, _options), verdict.Correct);
    }
}
