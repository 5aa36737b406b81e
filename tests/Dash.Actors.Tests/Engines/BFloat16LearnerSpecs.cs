// A bfloat16 learner on the built-in task: it still learns, keeps float32 master weights, and its samplers load them.
using Dash.Actors.Engines;
using Dash.Actors.Engines.Torch;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Model.Tokenizers;
using Dash.Tasks.Arithmetic;
using Dash.Tasks.Prompts;

namespace Dash.Actors.Tests.Engines;

/// <summary>
/// Runs alone: in a full parallel run of this project (CI on 2 cores) the bf16 learner's forward once failed inside libtorch
/// (a c10::Scalar check in add), while it passes alone and in the other runs; kept out of parallel runs until that is found.
/// </summary>
[CollectionDefinition(nameof(BFloat16Collection), DisableParallelization = true)]
public sealed class BFloat16Collection;

[Collection(nameof(BFloat16Collection))]
public sealed class BFloat16LearnerSpecs
{
    private static (double First, double Last, TorchPolicyLearner Learner, DashSettings Settings) TrainOnWorkedSolutions(string dtype, int steps)
    {
        var settings = ConfigLoader.Load(algorithm: "sft", sets: [$"model.dtype={dtype}", "model.threads=1", "learning.learning-rate=3e-3",
            "learning.lr-schedule=constant", "learning.lr-warmup-steps=0"]).Settings;
        var data = new TaskTrainingData(new ArithmeticTask(), CharTokenizer.Default, new RawPrompt(), 64);
        var learner = (TorchPolicyLearner)new TorchEngineFactory(settings, new PolicyModels(settings.Model, settings.Run.Seed)).CreateLearner();
        var rows = data.TrainPrompts(0, 16).Select(p => new Rollout(p.GroupId, p.ProblemId, p.GoldAnswer, p.PromptIds,
            data.EncodeCompletion(p.Solution), [], FinishReason.Eos, p.Solution, 1, 1, [])).ToArray();
        var tokens = rows.Sum(r => (long)r.CompletionIds.Length);
        var losses = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            losses.Add(learner.Accumulate(rows, rows.Length, tokens).Loss);
            learner.Step();
        }
        return (losses[0], losses[^1], learner, settings);
    }

    [Fact]
    public void Should_lower_the_supervised_loss_of_the_built_in_task_as_float32_does()
    {
        var (first16, last16, bf16, settings) = TrainOnWorkedSolutions("bfloat16", 12);
        var (first32, last32, fp32, _) = TrainOnWorkedSolutions("float32", 12);
        using (bf16)
        using (fp32)
        {
            Assert.True(last16 < 0.8 * first16, $"bf16 loss {first16} → {last16}");
            Assert.True(Math.Abs(first16 - first32) < 0.02 * first32, $"first loss bf16 {first16} vs fp32 {first32}");
            Assert.True(Math.Abs(last16 - last32) < 0.1 * last32, $"last loss bf16 {last16} vs fp32 {last32}");

            // The learner's float32 master weights reach a bf16 sampler, which then samples.
            var weights = new float[bf16.ParameterCount];
            bf16.CopyWeights(weights);
            using var sampler = (TorchPolicySampler)new TorchEngineFactory(settings, new PolicyModels(settings.Model, settings.Run.Seed)).CreateSampler(0);
            sampler.LoadWeights(weights);
            var data = new TaskTrainingData(new ArithmeticTask(), CharTokenizer.Default, new RawPrompt(), 64);
            var completions = sampler.Sample([data.HeldOut(1)[0].PromptIds], 2, greedy: false, seed: 3);
            Assert.Equal(2, completions.Count);
            Assert.All(completions, c => Assert.NotEmpty(c.Tokens));
        }
    }
}
