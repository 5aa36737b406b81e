// Test-kit simulations of the whole pipeline (real actors, fake policy and verifier) for every preset.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.TestKit;

namespace Dash.Actors.Tests.Pipeline;

public sealed class PipelineSpecs() : Akka.TestKit.Xunit2.TestKit(PipelineHarness.Config)
{
    [Theory]
    [InlineData("dash", 1)]
    [InlineData("dash-nogf", 1)]
    [InlineData("grpo", 1)]
    [InlineData("dash-kl", 1)]
    [InlineData("ppo-multi", 3)]
    [InlineData("ppo-mini", 4)]
    [InlineData("sft", 1)]
    public void Should_run_every_step_and_evaluation_of_each_preset(string preset, int optimizerStepsPerStep)
    {
        var factory = new FakeEngineFactory { PpoExpected = preset is "ppo-multi" or "ppo-mini" or "sft" };
        var run = PipelineHarness.Train(this, PipelineHarness.Settings(preset), factory);

        Assert.Equal([0L, 1, 2, 3], run.Steps.Select(s => s.Step));
        Assert.Equal(4L * optimizerStepsPerStep, run.Finished.PolicyVersion);
        Assert.Equal(3, run.Evals.Count); // before training, after step 2, after step 4
        Assert.All(run.Steps, s => Assert.Equal(preset == "sft" ? 8 : 32, s.Samples));
        Assert.All(run.Steps, s => Assert.Equal(s.Samples, s.Kept + s.Dropped));
        Assert.All(run.Steps, s => Assert.Contains(Phases.Learn, s.PhaseSeconds.Keys));
    }

    [Theory]
    [InlineData("dash")]
    [InlineData("grpo")]
    public void Should_time_the_verifiers_and_the_advantage_filter_although_rollouts_pass_them_without_the_coordinator(string preset)
    {
        var run = PipelineHarness.Train(this, PipelineHarness.Settings(preset), new FakeEngineFactory());

        // Busy seconds of each stage, added up over the step's shards (they run beside sampling, so they are not wall time).
        Assert.All(run.Steps, s => Assert.True(s.PhaseSeconds.GetValueOrDefault(Phases.Reward) > 0, $"step {s.Step}: no reward time"));
        Assert.All(run.Steps, s => Assert.True(s.PhaseSeconds.GetValueOrDefault(Phases.Advantage) > 0, $"step {s.Step}: no advantage time"));
        Assert.True(run.Finished.PhaseSeconds[Phases.Reward] >= run.Steps.Sum(s => s.PhaseSeconds[Phases.Reward]) - 1e-9);
    }

    [Theory]
    [InlineData("dash", 1)]
    [InlineData("grpo", 1)]
    [InlineData("dash", 3)]
    public void Should_learn_only_from_samples_of_the_current_weights(string preset, int samplers)
    {
        var factory = new FakeEngineFactory();
        PipelineHarness.Train(this, PipelineHarness.Settings(preset, $"sampling.samplers={samplers}"), factory);

        Assert.NotEmpty(factory.Learned);
        Assert.Equal(0, factory.OnPolicyViolations);
    }

    [Fact]
    public void Should_sample_one_micro_batch_at_a_time_in_the_grpo_baseline_and_the_whole_batch_with_dash()
    {
        var grpo = new FakeEngineFactory();
        PipelineHarness.Train(this, PipelineHarness.Settings("grpo", "run.eval-problems=0", "learning.micro-batch-size=4"), grpo);
        var dash = new FakeEngineFactory();
        PipelineHarness.Train(this, PipelineHarness.Settings("dash", "run.eval-problems=0", "sampling.batch-size=32"), dash);

        Assert.Equal(4 * 8, grpo.SampleCalls); // 8 prompts per step, one group (4 rows) per micro-batch, 4 steps
        Assert.Equal(4, dash.SampleCalls);     // one sampler call per step
    }

    [Fact]
    public void Should_raise_the_fake_policys_accuracy()
    {
        var run = PipelineHarness.Train(this, PipelineHarness.Settings("dash", "run.steps=12", "run.eval-every=0"), new FakeEngineFactory());
        Assert.True(run.Finished.Last!.Accuracy > run.Finished.First!.Accuracy, $"{run.Finished.First.Accuracy} -> {run.Finished.Last.Accuracy}");
    }

    [Fact]
    public void Should_lose_and_duplicate_no_sample_when_a_sampler_crashes_mid_batch()
    {
        var factory = new FakeEngineFactory();
        factory.CrashOnce[(1, 2)] = true; // step 1, the shard starting at prompt 2
        factory.CrashOnce[(3, 0)] = true;
        var settings = PipelineHarness.Settings("dash-nogf", "sampling.batch-size=8", "sampling.samplers=2", "run.eval-problems=0");

        var run = PipelineHarness.Train(this, settings, factory);

        Assert.Equal(2, run.Steps.Sum(s => s.ReissuedShards));
        var learned = factory.Learned.ToArray();
        Assert.Equal(4 * 32, learned.Length);
        Assert.Equal(learned.Length, learned.Select(l => (l.ProblemId, l.Sample)).Distinct().Count());
        Assert.Equal(0, factory.OnPolicyViolations);
    }

    [Fact]
    public void Should_give_the_same_results_with_one_or_three_samplers()
    {
        var one = PipelineHarness.Train(this, PipelineHarness.Settings("dash", "sampling.samplers=1"), new FakeEngineFactory());
        var three = PipelineHarness.Train(this, PipelineHarness.Settings("dash", "sampling.samplers=3"), new FakeEngineFactory());

        Assert.Equal(one.Steps.Select(s => (s.RewardMean, s.Kept, s.GradNorm)), three.Steps.Select(s => (s.RewardMean, s.Kept, s.GradNorm)));
    }

    [Fact]
    public void Should_bound_in_flight_work_to_one_shard_per_sampler()
    {
        var factory = new FakeEngineFactory { Gate = new SemaphoreSlim(0) };
        var probe = CreateTestProbe();
        var settings = PipelineHarness.Settings("dash", "run.eval-problems=0", "sampling.batch-size=4", "sampling.samplers=2");
        var coordinator = Sys.ActorOf(TrainingCoordinatorActor.Props(settings, new FakeData(), factory, probe.Ref, RunContext.InMemory("backpressure")));

        // 8 shards wait for 2 samplers; each sampler is blocked inside its first shard.
        AwaitCondition(() => SamplerMailboxes(coordinator).Length == 2, TimeSpan.FromSeconds(10));
        Thread.Sleep(300);
        Assert.All(SamplerMailboxes(coordinator), n => Assert.Equal(0, n));

        factory.Gate.Release(1000);
        probe.FishForMessage(m => m is TrainingFinished, TimeSpan.FromSeconds(30));
    }

    private int[] SamplerMailboxes(IActorRef coordinator)
    {
        var cell = ((ActorRefWithCell)coordinator).Underlying;
        return [.. cell.ChildrenContainer.Children.Where(c => c.Path.Name.StartsWith("sampler-", StringComparison.Ordinal))
            .Select(c => ((ActorRefWithCell)c).Underlying.NumberOfMessages)];
    }

    [Fact]
    public void Should_count_kept_and_dropped_samples_exactly_as_the_pure_filter_does()
    {
        var settings = PipelineHarness.Settings("dash", "sampling.prompts-per-step=4"); // two shards of two prompts
        var rows = Enumerable.Range(0, 16).Select(i => new Rollout(i / 4, $"p{i / 4}", "42", [1], [1, 2], [0f, 0f], FinishReason.Eos, "",
            Reward: i is 0 or 5 or 6 ? 1 : 0, 0, [])).ToArray();
        var filter = Sys.ActorOf(AdvantageFilterActor.Props(settings, TestActor));

        // The second shard arrives first (and the first twice): the filter takes them once each, in the plan's order.
        filter.Tell(new BatchScored(new RolloutBatch(0, 1, 0, rows[8..]), 0, 0));
        filter.Tell(new BatchScored(new RolloutBatch(0, 0, 0, rows[..8]), 3, 0));
        filter.Tell(new BatchScored(new RolloutBatch(0, 0, 0, rows[..8]), 3, 0));
        var learned = new List<Rollout>();
        var end = FishForMessage(m =>
        {
            if (m is Accumulate a) learned.AddRange(a.MicroBatches.SelectMany(mb => mb).Select(i => a.Batch.Rows[i]));
            return m is RoundFiltered;
        }, TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var expected = Advantages.Filter(rows.Select(r => r.Reward).ToArray(), rows.Select(r => r.GroupId).ToArray(), false, 0.1f);
        var tally = ((RoundFiltered)end).Tally;
        Assert.Equal((expected.Kept.Length, expected.Dropped, 2, 16, 3), (tally.Kept, tally.Dropped, tally.ZeroVarianceGroups, tally.Rows, tally.Correct));
        Assert.Equal(expected.Kept.Select(i => (rows[i].GroupId, expected.Advantages[i])), learned.Select(r => (r.GroupId, r.Advantage)));
    }
}
