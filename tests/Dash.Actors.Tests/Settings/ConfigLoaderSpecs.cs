// The configuration: defaults from hocon/, presets, overrides, and errors that name the key.
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Settings;

public sealed class ConfigLoaderSpecs
{
    [Fact]
    public void Should_load_the_defaults_with_the_papers_values()
    {
        var s = ConfigLoader.Load().Settings;
        Assert.Equal("dash", s.Algorithm);
        Assert.Equal(4, s.Sampling.GroupSize);
        Assert.Equal(0.9f, s.Sampling.Temperature);
        Assert.Equal(50, s.Sampling.TopK);
        Assert.Equal(0.1f, s.Advantage.FilterTau);
        Assert.Equal(0.2f, s.Learning.ClipEpsilon);
        Assert.Equal(LossAggregation.DrGrpo, s.Learning.Aggregation);
        Assert.True(s.Sampling.Preemptive);
    }

    [Theory]
    [InlineData("grpo", false, -1f, 1, 1)]
    [InlineData("dash-nogf", true, -1f, 1, 1)]
    [InlineData("ppo-multi", true, 0.1f, 3, 1)]
    [InlineData("ppo-mini", true, 0.1f, 1, 4)]
    public void Should_apply_a_preset(string preset, bool preemptive, float tau, int epochs, int minis)
    {
        var s = ConfigLoader.Load(algorithm: preset).Settings;
        Assert.Equal((preemptive, tau, epochs, minis), (s.Sampling.Preemptive, s.Advantage.FilterTau, s.Learning.PpoEpochs, s.Learning.MiniBatches));
    }

    [Fact]
    public void Should_let_an_override_win_over_the_preset_and_say_where_each_value_came_from()
    {
        var c = ConfigLoader.Load(sets: ["advantage.filter-tau=0.3", "dash.run.steps=7"], algorithm: "grpo");
        Assert.Equal(0.3f, c.Settings.Advantage.FilterTau);
        Assert.Equal(7, c.Settings.Run.Steps);
        Assert.Equal("--set", c.Sources["dash.advantage.filter-tau"]);
        Assert.StartsWith("preset grpo", c.Sources["dash.sampling.preemptive"], StringComparison.Ordinal);
        Assert.StartsWith("default", c.Sources["dash.sampling.top-k"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sampling.group-sise=4", "dash.sampling.group-sise", "Did you mean dash.sampling.group-size")]
    [InlineData("sampling.group-size=four", "dash.sampling.group-size", "not an integer")]
    [InlineData("sampling.top-p=1.5", "dash.sampling.top-p", "out of range")]
    [InlineData("sampling.preemptive=maybe", "dash.sampling.preemptive", "not a boolean")]
    [InlineData("learning.loss-aggregation=mean", "dash.learning.loss-aggregation", "dr-grpo")]
    [InlineData("algorithm=magic", "dash.algorithm", "grpo")]
    [InlineData("sampling.batch-size=2", "dash.sampling.batch-size", "group-size")]
    [InlineData("stepsonly", "--set", "key=value")]
    public void Should_name_the_key_of_a_bad_setting(string set, string key, string hint)
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: [set]));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(hint, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_a_missing_config_file()
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(files: ["/nonexistent/my.conf"]));
        Assert.Contains("/nonexistent/my.conf", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dash.conf")]
    [InlineData("cluster.conf")]
    [InlineData("simulate.conf")]
    [InlineData("eval.conf")]
    [InlineData("presets.conf")]
    public void Should_document_every_default_key_with_a_comment(string file)
    {
        var lines = ConfigLoader.EmbeddedText(file).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.EndsWith('{') || line == "}") continue;
            Assert.True(lines[i - 1].Trim().StartsWith('#'), $"hocon/{file} line {i + 1} ({line}) has no comment above it.");
        }
    }
}
