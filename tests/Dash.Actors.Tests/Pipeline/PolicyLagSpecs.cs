// dash.sampling.max-policy-lag = 1: the samplers sample step t with the weights after t − 1 steps while the learner
// computes step t − 1; the ratio is taken against the samplers' log-probs; deterministic and exactly resumable.
using Akka.Actor;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Pipeline;

public sealed class PolicyLagSpecs() : Akka.TestKit.Xunit2.TestKit(PipelineHarness.Config)
{
    private const string Lag = "sampling.max-policy-lag=1";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Should_sample_every_step_with_the_weights_one_optimizer_step_behind_the_learners(int samplers)
    {
        var factory = new FakeEngineFactory();
        var run = PipelineHarness.Train(this, PipelineHarness.Settings("dash-nogf", Lag, $"sampling.samplers={samplers}"), factory);

        Assert.Equal([0L, 1, 2, 3], run.Steps.Select(s => s.Step));
        var learned = factory.Learned.ToArray();
        Assert.Equal(4 * 32, learned.Length);
        Assert.Equal(learned.Length, learned.Select(l => (l.ProblemId, l.Sample, l.LearnerVersion)).Distinct().Count());
        // Steps 0 and 1 sample with the initial weights; step t > 0 with the weights after t − 1 steps.
        Assert.All(learned, l => Assert.Equal(Math.Max(0, l.LearnerVersion - 1), l.SampledBy));
        Assert.Contains(learned, l => l.SampledBy != l.LearnerVersion);
    }

    [Fact]
    public void Should_evaluate_the_weights_after_each_due_step_as_an_on_policy_run_does()
    {
        var run = PipelineHarness.Train(this, PipelineHarness.Settings("dash", Lag), new FakeEngineFactory());

        // Before training, after step 2 and after step 4, each of the weights after that many steps (the fake's version).
        Assert.Equal([(0L, 0L), (2, 2), (4, 4)], run.Evals.Select(e => (e.Step, e.PolicyVersion)));
        Assert.Equal(4, run.Finished.PolicyVersion);
    }

    [Fact]
    public void Should_end_elsewhere_than_the_on_policy_run_because_it_samples_with_older_weights()
    {
        var onPolicy = PipelineHarness.Train(this, PipelineHarness.Settings("dash", "run.steps=6"), new FakeEngineFactory());
        var lagged = PipelineHarness.Train(this, PipelineHarness.Settings("dash", "run.steps=6", Lag), new FakeEngineFactory());

        Assert.Equal(onPolicy.Steps[0].TrainAccuracy, lagged.Steps[0].TrainAccuracy); // Step 0 samples with the same weights.
        Assert.NotEqual(onPolicy.Steps.Select(s => s.TrainAccuracy), lagged.Steps.Select(s => s.TrainAccuracy));
    }

    [Fact]
    public void Should_sample_the_next_step_while_the_learner_is_still_on_this_one_and_count_wall_time_once()
    {
        // One shard per step (nothing overlaps within a step); sampling and learning take time.
        var settings = PipelineHarness.Settings("dash-nogf", Lag, "sampling.batch-size=32", "run.eval-problems=0", "learning.micro-batch-size=8");
        var engines = new InstrumentedEngines(new FakeEngineFactory()) { DelayMs = _ => 150, LearnDelayMs = 40 };
        var probe = CreateTestProbe();
        Sys.ActorOf(TrainingCoordinatorActor.Props(settings, FakeData.BuiltIn, engines, probe.Ref, RunContext.InMemory()));
        var steps = new List<StepReport>();
        var finished = (TrainingFinished)probe.FishForMessage(m =>
        {
            if (m is StepReport s) steps.Add(s);
            return m is TrainingFinished or TrainingFailed;
        }, TimeSpan.FromSeconds(60));

        var events = engines.Events.ToList();
        for (var step = 1; step < 4; step++)
        {
            var nextStarts = events.IndexOf($"step {step} sample 0 start");
            var stepped = events.Select((e, i) => (e, i)).Where(x => x.e == "step").ElementAt(step - 1).i; // Step step − 1's optimizer step.
            Assert.True(nextStarts < stepped, $"step {step} was sampled only after step {step - 1} was learned: {string.Join(", ", events)}");
        }
        // The steps' wall seconds add up to the run's training time, not to more (their spans overlap).
        Assert.Equal(4, steps.Count);
        Assert.True(steps.Sum(s => s.Seconds) <= finished.Seconds, $"{steps.Sum(s => s.Seconds)} s of steps in a {finished.Seconds} s run");
    }

    [Fact]
    public void Should_lose_and_duplicate_no_sample_when_a_sampler_crashes_mid_batch()
    {
        var factory = new FakeEngineFactory();
        factory.CrashOnce[(1, 2)] = true;
        factory.CrashOnce[(3, 0)] = true;
        var settings = PipelineHarness.Settings("dash-nogf", Lag, "sampling.batch-size=8", "sampling.samplers=2", "run.eval-problems=0");

        var run = PipelineHarness.Train(this, settings, factory);

        Assert.Equal(2, run.Steps.Sum(s => s.ReissuedShards));
        var learned = factory.Learned.ToArray();
        Assert.Equal(4 * 32, learned.Length);
        Assert.Equal(learned.Length, learned.Select(l => (l.ProblemId, l.Sample, l.LearnerVersion)).Distinct().Count());
    }

    [Theory]
    [InlineData("grpo", "needs dash.sampling.preemptive = on")]
    [InlineData("sft", "needs dash.learning.mode = rl")]
    public void Should_refuse_a_policy_lag_where_the_next_step_cannot_start_early(string preset, string why)
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(algorithm: preset, sets: [Lag]));
        Assert.Contains("dash.sampling.max-policy-lag = 1 " + why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_lag_of_two_naming_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["sampling.max-policy-lag=2"]));
        Assert.Contains("dash.sampling.max-policy-lag", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_pass_the_learner_an_earlier_rounds_shards_first_even_when_the_next_steps_arrive_before_them()
    {
        var settings = PipelineHarness.Settings("dash", Lag, "sampling.batch-size=16", "pipeline.overlap=off");
        var learner = CreateTestProbe();
        var filter = Sys.ActorOf(AdvantageFilterActor.Props(settings, learner.Ref));
        BatchScored Shard(long step, int shard) => new(new RolloutBatch(step, shard, 0, [.. Enumerable.Range(0, 16).Select(i =>
            new Rollout((int)step * 100 + shard * 4 + i / 4, $"p{shard * 4 + i / 4}", "42", [1], [1000, i, 7], [-0.5f, -0.5f, -0.5f], FinishReason.Eos, "", i % 2, 0, []))]), 8, 0);

        filter.Tell(Shard(0, 0));
        filter.Tell(Shard(1, 1));
        filter.Tell(Shard(1, 0));
        learner.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // Step 0 is not complete: nothing of step 1 may pass.
        filter.Tell(Shard(0, 1));

        var steps = new List<long>();
        learner.FishForMessage(m =>
        {
            if (m is Accumulate a) steps.Add(a.Batch.Step);
            if (m is RoundFiltered f) steps.Add(f.Step);
            return m is RoundFiltered { Step: 1 };
        }, TimeSpan.FromSeconds(10));
        Assert.Equal([0L, 0, 1, 1], steps);
    }
}
