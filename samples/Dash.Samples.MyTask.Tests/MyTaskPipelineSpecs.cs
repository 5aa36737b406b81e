// The sample task and reward through Dash's real pipeline, on a simulated cluster of fake samplers, with faults.
using Dash.Samples.MyTask;
using Dash.TestKit;
using Xunit;

namespace Dash.Samples.MyTask.Tests;

public sealed class MyTaskPipelineSpecs : IDisposable
{
    private const int Steps = 4;
    private const int SamplesPerStep = 8 * 4; // 8 prompts per step, 4 completions each

    private readonly DashHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    /// <summary>
    /// The fake policy solves the task (right with probability sigmoid(skill)); a wrong answer is one minute off. Its
    /// completions are graded by the task's own reward, <see cref="SecondsReward"/>.
    /// </summary>
    private static FakeEngineFactory Engines() => new()
    {
        Task = new FakeData(new MinutesTask(), (item, right) =>
            $"60 s per minute, so Answer: {long.Parse(item.GoldAnswer, System.Globalization.CultureInfo.InvariantCulture) + (right ? 0 : 60)} s"),
        Scorer = () => new SecondsReward(),
    };

    /// <summary>No filtering (dash-nogf), three samplers, one sampler forward per prompt group.</summary>
    private static Dash.Actors.Settings.EffectiveConfig Config() => DashHarness.Preset("dash-nogf",
        $"run.steps={Steps}", "run.eval-every=0", "sampling.samplers=3", "sampling.batch-size=4");

    [Fact]
    public void Should_train_on_my_task_with_my_reward_and_raise_held_out_accuracy()
    {
        var run = _harness.Run("plain", DashHarness.Preset("dash", "run.steps=12", "run.eval-every=0"), Engines());

        Assert.True(run.Finished.Last!.Accuracy > run.Finished.First!.Accuracy, $"{run.Finished.First.Accuracy} -> {run.Finished.Last.Accuracy}");
        Assert.Contains(run.Steps, s => s.RewardMean is > 0 and < 1); // the reward tells right from wrong
        JournalAssert.EveryStepCommittedOnce(run.Journal!, 12);
    }

    [Fact]
    public void Should_lose_and_duplicate_nothing_when_a_sampler_is_killed_mid_step()
    {
        var reference = Engines();
        _harness.Run("reference", Config(), reference);
        var engines = Engines();
        engines.KillOnce[(2, -1)] = true; // the sampler that takes step 2's first shard dies while sampling it

        var run = _harness.Run("killed", Config(), engines);

        Assert.Single(engines.Killed);
        Assert.Contains(run.Warnings, w => w.Contains("is gone", StringComparison.Ordinal) && w.Contains("1 shard(s) re-issued", StringComparison.Ordinal));
        JournalAssert.NothingLostOrDuplicated(run.Journal!, Steps, SamplesPerStep);
        JournalAssert.Reissued(run.Journal!, atLeast: 1, step: 2);
        Assert.Equal(Steps * SamplesPerStep, engines.Learned.Count); // every sample reached the learner ...
        Assert.Equal(0, engines.LearnedTwice);                         // ... once
        Assert.Equal(_harness.FinalLearnerState("reference"), _harness.FinalLearnerState("killed")); // the same training as without the kill
    }

    [Fact]
    public void Should_commit_every_step_once_when_the_journal_refuses_a_commit()
    {
        _harness.Run("reference", Config(), Engines());
        _harness.JournalFaults.FailStepCommit("refused", step: 1, times: 2);

        var run = _harness.Run("refused", Config(), Engines());

        Assert.Equal([("refused", 1L), ("refused", 1L)], _harness.JournalFaults.Refused);
        JournalAssert.NothingLostOrDuplicated(run.Journal!, Steps, SamplesPerStep);
        Assert.Equal(_harness.FinalLearnerState("reference"), _harness.FinalLearnerState("refused"));
    }

    [Fact]
    public void Should_sample_only_with_current_weights_when_they_reach_a_sampler_late()
    {
        _harness.WeightFaults.Delay(version: 2, TimeSpan.FromMilliseconds(400), sampler: 1);
        var engines = Engines();

        var run = _harness.Run("late", Config(), engines);

        Assert.Single(_harness.WeightFaults.Hits);
        Assert.Equal(0, engines.OnPolicyViolations);
        // From publishing version 2 to the last sampler holding it, the step checkpoints, then waits for the weights.
        var phases = run.Steps.Single(s => s.PolicyVersion == 2).PhaseSeconds;
        var waited = phases.GetValueOrDefault("checkpoint") + phases["weight-sync"];
        Assert.True(waited >= 0.35, $"the step that published version 2 took {waited:0.000} s to checkpoint and sync its weights");
        JournalAssert.NothingLostOrDuplicated(run.Journal!, Steps, SamplesPerStep);
    }
}
