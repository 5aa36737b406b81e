// Specifications of dash simulate's engine: the real coordinator under virtual time with simulated workers.
using Dash.Actors.Settings;
using Dash.Actors.Simulation;

namespace Dash.Actors.Tests.Simulation;

public sealed class SimulatorSpecs
{
    /// <summary>64 prompts x 4 per step; a shard is one prompt group (64 shards per DASH step, 4 per GRPO round).</summary>
    private static DashSettings Settings(string algorithm, params string[] sets) =>
        ConfigLoader.Load(sets: ["sampling.prompts-per-step=64", "sampling.batch-size=4", .. sets], algorithm: algorithm).Settings;

    private static readonly CostModel ParallelLinks = CostModel.Load(sets: ["network.shared-uplink=off"]);

    [Fact]
    public void Should_give_the_same_result_bit_for_bit_on_every_run()
    {
        var a = Simulator.Run(Settings("dash"), 8, CostModel.Default, 4);
        var b = Simulator.Run(Settings("dash"), 8, CostModel.Default, 4);
        Assert.Empty(a.Problems);
        Assert.Equal(4, a.Steps);
        Assert.Equal(a.StepSeconds, b.StepSeconds);
        Assert.Equal(a with { StepSeconds = [], Problems = [] }, b with { StepSeconds = [], Problems = [] });
    }

    [Fact]
    public void Should_predict_twice_the_step_time_on_a_machine_twice_as_slow()
    {
        var fast = Simulator.Run(Settings("dash"), 4, CostModel.Default, 3);
        var slow = Simulator.Run(Settings("dash"), 4, CostModel.Default.Slower(2), 3);
        Assert.Equal(2 * fast.MeanStepSeconds, slow.MeanStepSeconds, 1e-9);
        Assert.Equal(2 * fast.SampleSeconds, slow.SampleSeconds, 1e-9);
        Assert.Equal(2 * fast.LearnSeconds, slow.LearnSeconds, 1e-9);
        Assert.Equal(fast.KeptFraction, slow.KeptFraction);
        Assert.Equal(fast.SamplerUtilisation, slow.SamplerUtilisation, 1e-9);
    }

    [Fact]
    public void Should_shorten_sampling_with_more_samplers_until_the_learner_dominates()
    {
        // Sequential: the learner's time adds to sampling's, so every doubling still shortens the step a little.
        var runs = new[] { 1, 2, 4, 8, 16, 32, 64 }.Select(n => Simulator.Run(Settings("dash", "pipeline.overlap=off"), n, ParallelLinks, 3)).ToArray();
        for (var i = 1; i < runs.Length; i++)
        {
            Assert.True(runs[i].SampleSeconds < runs[i - 1].SampleSeconds, $"sampling with {runs[i].Samplers} samplers is not shorter");
            Assert.True(runs[i].MeanStepSeconds < runs[i - 1].MeanStepSeconds, $"a step with {runs[i].Samplers} samplers is not shorter");
            Assert.True(runs[i].LearnerUtilisation > runs[i - 1].LearnerUtilisation);
        }
        // Saturation: the last doubling gains far less than the first, and the learner now takes most of a step.
        Assert.True(runs[^2].MeanStepSeconds - runs[^1].MeanStepSeconds < 0.1 * (runs[0].MeanStepSeconds - runs[1].MeanStepSeconds));
        Assert.True(runs[^1].LearnSeconds > 5 * runs[^1].SampleSeconds);
        Assert.True(runs[^1].LearnerUtilisation > 0.8);
    }

    [Fact]
    public void Should_hide_the_learner_behind_sampling_when_learning_overlaps_it()
    {
        foreach (var samplers in new[] { 1, 4, 16, 64 })
        {
            var overlapped = Simulator.Run(Settings("dash"), samplers, ParallelLinks, 3);
            var sequential = Simulator.Run(Settings("dash", "pipeline.overlap=off"), samplers, ParallelLinks, 3);

            Assert.Equal(sequential.LearnSeconds, overlapped.LearnSeconds, 1e-9); // the same work
            Assert.True(overlapped.MeanStepSeconds < sequential.MeanStepSeconds, $"{samplers} samplers: {overlapped.MeanStepSeconds} s vs {sequential.MeanStepSeconds} s");
            // The step is never shorter than its longer half: sampling, or the learner's work after it began.
            Assert.True(overlapped.MeanStepSeconds >= Math.Max(overlapped.SampleSeconds, overlapped.LearnSeconds) - 1e-9);
        }
    }

    [Fact]
    public void Should_hide_the_whole_learner_behind_the_next_steps_sampling_with_a_policy_lag()
    {
        foreach (var samplers in new[] { 1, 4, 16 })
        {
            var onPolicy = Simulator.Run(Settings("dash", "run.eval-problems=0"), samplers, ParallelLinks, 6);
            var lagged = Simulator.Run(Settings("dash", "run.eval-problems=0", "sampling.max-policy-lag=1"), samplers, ParallelLinks, 6);

            Assert.Empty(lagged.Problems);
            Assert.Equal(6, lagged.Steps);
            Assert.Equal(onPolicy.LearnSeconds, lagged.LearnSeconds, 1e-9); // the same work
            // On-policy the learner's tail after the last shard adds to every step; one step behind, it runs beside the
            // next step's sampling: a step takes its longer half and the weight sync, no more.
            var longer = Math.Max(lagged.SampleSeconds, lagged.LearnSeconds);
            Assert.True(lagged.MeanStepSeconds < onPolicy.MeanStepSeconds, $"{samplers} samplers: {lagged.MeanStepSeconds} s with a lag vs {onPolicy.MeanStepSeconds} s on-policy");
            Assert.InRange(lagged.MeanStepSeconds, longer - 1e-9, 1.02 * (longer + lagged.WeightSyncSeconds));
        }
    }

    [Fact]
    public void Should_predict_dash_faster_than_grpo_under_the_same_cost_model()
    {
        var dash = Simulator.Run(Settings("dash"), 8, CostModel.Default, 3);
        var grpo = Simulator.Run(Settings("grpo"), 8, CostModel.Default, 3);
        Assert.True(dash.MeanStepSeconds < 0.5 * grpo.MeanStepSeconds, $"dash {dash.MeanStepSeconds} s vs grpo {grpo.MeanStepSeconds} s");
        Assert.True(dash.SampleSeconds < grpo.SampleSeconds);
        Assert.True(dash.LearnSeconds < grpo.LearnSeconds);
    }

    [Fact]
    public void Should_cut_learning_time_in_proportion_to_the_samples_gradient_filtering_drops()
    {
        var cost = CostModel.Default;
        var filtered = Simulator.Run(Settings("dash", "sampling.prompts-per-step=256"), 16, cost, 3);
        var all = Simulator.Run(Settings("dash-nogf", "sampling.prompts-per-step=256"), 16, cost, 3);
        Assert.Equal(1.0, all.KeptFraction);
        Assert.InRange(filtered.KeptFraction, 0.2, 0.45);
        // Forward+backward scales with the kept rows; the optimizer step does not.
        var ratio = (filtered.LearnSeconds - cost.OptimizerStepSeconds) / (all.LearnSeconds - cost.OptimizerStepSeconds);
        Assert.InRange(ratio, filtered.KeptFraction - 0.03, filtered.KeptFraction + 0.03);
        Assert.Equal(all.SampleSeconds, filtered.SampleSeconds, 1e-9);
    }

    [Fact]
    public void Should_commit_every_step_on_policy_with_a_thousand_samplers()
    {
        var r = Simulator.Run(Settings("dash", "sampling.prompts-per-step=1024"), 1000, CostModel.Default, 3);
        Assert.Empty(r.Problems); // No on-policy violation, restart, warning, error log or work from outside the loop.
        Assert.Equal(3, r.Steps);
        Assert.Equal(3, r.StepSeconds.Count);
        Assert.All(r.StepSeconds, s => Assert.True(s > 0));
        Assert.True(r.SamplerUtilisation > 0);
        Assert.True(r.WeightSyncSeconds > 999 * CostModel.Default.WeightBytes / CostModel.Default.BandwidthBytesPerSecond,
            "a shared uplink sends every sampler its own copy");
    }

    [Theory]
    [InlineData("dash-nogf")]
    [InlineData("ppo-multi")]
    [InlineData("ppo-mini")]
    [InlineData("dash-kl")]
    [InlineData("sft")]
    public void Should_simulate_every_preset(string algorithm)
    {
        var r = Simulator.Run(Settings(algorithm), 4, CostModel.Default, 2);
        Assert.Empty(r.Problems);
        Assert.Equal(2, r.Steps);
        Assert.True(r.LearnSeconds > 0);
    }
}
