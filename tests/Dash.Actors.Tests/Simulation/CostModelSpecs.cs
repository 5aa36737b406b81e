// Specifications of the simulation cost model: defaults from hocon/simulate.conf, overrides, clear errors.
using Dash.Actors.Settings;
using Dash.Actors.Simulation;

namespace Dash.Actors.Tests.Simulation;

public sealed class CostModelSpecs
{
    [Fact]
    public void Should_read_the_defaults_and_apply_overrides_with_or_without_the_prefix()
    {
        var c = CostModel.Load(sets: ["learner.token-seconds=1e-3", "dash.simulate.network.shared-uplink=off"]);
        Assert.Equal(1e-3, c.LearnerTokenSeconds);
        Assert.False(c.SharedUplink);
        Assert.Equal(CostModel.Default.DecodeStepSeconds, c.DecodeStepSeconds);
    }

    [Fact]
    public void Should_read_a_file_of_bare_keys()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "network { latency-seconds = 0.002 }\n");
        Assert.Equal(0.002, CostModel.Load(files: [file]).LatencySeconds);
        File.Delete(file);
    }

    [Theory]
    [InlineData("learner.tokens-seconds=1", "learner.tokens-seconds")]
    [InlineData("network.bandwidth-bytes-per-second=0", "bandwidth-bytes-per-second")]
    [InlineData("workload.correct-probability=1.5", "correct-probability")]
    [InlineData("sampler.decode-row-seconds=fast", "decode-row-seconds")]
    public void Should_name_the_key_of_a_bad_override(string set, string key)
    {
        var e = Assert.Throws<SettingsException>(() => CostModel.Load(sets: [set]));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_fit_the_measured_default_run()
    {
        // bench/results/compare.md: dash, 128 samples per step, sampled in ~0.21 s; the model predicts the same order.
        var c = CostModel.Default;
        var seconds = c.SampleSeconds(128, 128 * 12, 10);
        Assert.InRange(seconds, 0.15, 0.3);
    }
}
