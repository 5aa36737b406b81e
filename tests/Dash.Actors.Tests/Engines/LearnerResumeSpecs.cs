// The real learner resumed from its checkpoint steps bit-identically to the one that never stopped, even with nothing to learn.
using Dash.Actors.Engines.Torch;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Engines;

public sealed class LearnerResumeSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-learner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TorchPolicyLearner NewLearner(DashSettings s) =>
        (TorchPolicyLearner)new TorchEngineFactory(s, new PolicyModels(s.Model, s.Run.Seed)).CreateLearner();

    private static float[] Weights(TorchPolicyLearner learner)
    {
        var w = new float[learner.ParameterCount];
        learner.CopyWeights(w);
        return w;
    }

    [Fact]
    public void Should_step_a_resumed_learner_exactly_like_the_uninterrupted_one_when_a_step_has_no_samples()
    {
        var settings = ConfigLoader.Load(sets: ["model.threads=1"]).Settings;
        var random = new Random(3);
        Rollout[] rows = [.. Enumerable.Range(0, 8).Select(i => new Rollout(i / 4, $"p{i}", "1", [1, 5, 6, 7],
            [.. Enumerable.Range(0, 6).Select(_ => random.Next(4, 99)), 2], [], FinishReason.Eos, "", 0, i % 2 == 0 ? 1f : -1f, []))];
        using var unbroken = NewLearner(settings);
        unbroken.Accumulate(rows, rows.Length, 56);
        unbroken.Step();
        unbroken.Save(_dir); // The checkpoint after a step that learned something.

        using var resumed = NewLearner(settings);
        resumed.Load(_dir);
        Assert.Equal(Weights(unbroken), Weights(resumed));
        unbroken.Step(); // Every sample filtered out: no backward pass, the optimizer still steps (momentum).
        resumed.Step();

        using var fresh = NewLearner(settings);
        Assert.NotEqual(Weights(fresh), Weights(unbroken));
        Assert.Equal(Weights(unbroken), Weights(resumed));
    }
}
