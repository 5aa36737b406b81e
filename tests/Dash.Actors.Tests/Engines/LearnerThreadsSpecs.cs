// The torch thread count is a speed setting only: the learner trains the same weights, bit for bit, with 1 or 2 threads.
using Dash.Actors.Engines.Torch;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Engines;

public sealed class LearnerThreadsSpecs
{
    private static Rollout[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new Rollout(i / 4, $"p{i}", "1",
            [1, .. Enumerable.Range(0, random.Next(8, 16)).Select(_ => random.Next(4, 99))],
            [.. Enumerable.Range(0, random.Next(10, 40)).Select(_ => random.Next(4, 99)), 2], [], FinishReason.Eos, "", 0,
            (float)(random.NextDouble() * 2 - 1), []))];
    }

    /// <summary>Two optimizer steps of 16 rows in one micro-batch, then the weights.</summary>
    private static float[] Train(string mode, int threads)
    {
        var settings = ConfigLoader.Load(algorithm: mode == "sft" ? "sft" : null, sets: [$"model.threads={threads}", "learning.learning-rate=2e-3"]).Settings;
        using var learner = (TorchPolicyLearner)new TorchEngineFactory(settings, new PolicyModels(settings.Model, settings.Run.Seed)).CreateLearner();
        for (var step = 0; step < 2; step++)
        {
            var rows = Rows(16, step);
            learner.Accumulate(rows, rows.Length, rows.Sum(r => (long)r.CompletionIds.Length));
            learner.Step();
        }
        var weights = new float[learner.ParameterCount];
        learner.CopyWeights(weights);
        return weights;
    }

    [Theory]
    [InlineData("sft")]
    [InlineData("dash")]
    public void Should_train_the_same_weights_with_one_or_two_torch_threads(string mode)
    {
        var one = Train(mode, threads: 1);
        var two = Train(mode, threads: 2);
        Assert.Contains(one, w => w != 0);
        var differing = one.Zip(two, (a, b) => BitConverter.SingleToInt32Bits(a) != BitConverter.SingleToInt32Bits(b)).Count(d => d);
        Assert.True(differing == 0, $"{differing} of {one.Length} weights differ between 1 and 2 torch threads");
    }
}
