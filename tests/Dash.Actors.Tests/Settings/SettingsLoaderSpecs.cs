// One loader for dash, cluster-node and simulate settings: the same --set rule, and unknown keys and bad values named
// with where they were written (the --set text, or file:line) and what to write instead.
using Dash.Actors.Cluster;
using Dash.Actors.Settings;
using Dash.Actors.Simulation;

namespace Dash.Actors.Tests.Settings;

public sealed class SettingsLoaderSpecs
{
    private static object DashLoad(string set) => ConfigLoader.Load(sets: [set]).Settings;

    private static object ClusterLoad(string set) => ClusterNodeSettings.Load(["sampler"], "127.0.0.1", 0, [], sets: [set]);

    private static object CostLoad(string set) => CostModel.Load(sets: [set]);

    private static Func<string, object> Loader(string which) => which switch
    {
        "dash" => DashLoad,
        "cluster" => ClusterLoad,
        _ => CostLoad,
    };

    [Theory]
    [InlineData("cluster.ack-window=8")]
    [InlineData("dash.cluster.ack-window=8")]
    public void Should_accept_a_cluster_key_with_or_without_the_dash_prefix(string set)
    {
        var node = ClusterNodeSettings.Load(["sampler"], "127.0.0.1", 0, [], sets: [set]);
        Assert.Equal(8, node.Transfer.Window);
    }

    [Theory]
    [InlineData("sampler.decode-row-seconds=\"2e-4\"")]
    [InlineData("simulate.sampler.decode-row-seconds=2e-4")]
    [InlineData("dash.simulate.sampler.decode-row-seconds=2e-4")]
    public void Should_read_a_cost_override_as_a_dash_override_is_read(string set)
    {
        Assert.Equal("x", ConfigLoader.Load(sets: ["run.id=\"x\""]).Settings.Run.Id);
        Assert.Equal(2e-4, CostModel.Load(sets: [set]).DecodeRowSeconds);
    }

    [Theory]
    [InlineData("dash", "sampling.group-sise=4", "dash.sampling.group-sise (from --set sampling.group-sise=4) is not a Dash setting. Did you mean dash.sampling.group-size?")]
    [InlineData("cluster", "cluster.ack-windw=8", "dash.cluster.ack-windw (from --set cluster.ack-windw=8) is not a Dash setting. Did you mean dash.cluster.ack-window?")]
    [InlineData("cost", "learner.tokens-seconds=1", "dash.simulate.learner.tokens-seconds (from --cost learner.tokens-seconds=1) is not a Dash setting. Did you mean dash.simulate.learner.token-seconds?")]
    public void Should_name_a_misspelt_key_and_the_nearest_real_one_in_every_settings_file(string which, string set, string message)
    {
        var e = Assert.Throws<SettingsException>(() => Loader(which)(set));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dash", "sampling.group-size=four", "dash.sampling.group-size = \"four\" is not an integer (from --set sampling.group-size=four).")]
    [InlineData("cluster", "cluster.ack-window=four", "dash.cluster.ack-window = \"four\" is not an integer (from --set cluster.ack-window=four).")]
    [InlineData("cluster", "cluster.weight-chunk=lots", "dash.cluster.weight-chunk = \"lots\" is not a size: write bytes or a unit, for example 1MiB (from --set cluster.weight-chunk=lots).")]
    [InlineData("cluster", "cluster.tls.enabled=maybe", "dash.cluster.tls.enabled = \"maybe\" is not a boolean: use on/off or true/false (from --set cluster.tls.enabled=maybe).")]
    [InlineData("cost", "sampler.decode-row-seconds=fast", "dash.simulate.sampler.decode-row-seconds = \"fast\" is not a number (from --cost sampler.decode-row-seconds=fast).")]
    [InlineData("cost", "network.shared-uplink=maybe", "dash.simulate.network.shared-uplink = \"maybe\" is not a boolean: use on/off or true/false (from --cost network.shared-uplink=maybe).")]
    public void Should_name_a_bad_value_and_the_override_that_set_it_in_every_settings_file(string which, string set, string message)
    {
        var e = Assert.Throws<SettingsException>(() => Loader(which)(set));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_file_and_line_of_a_misspelt_key_or_a_bad_value()
    {
        var dir = Directory.CreateTempSubdirectory("dash-settings-").FullName;
        var typo = Write(dir, "typo.conf", "dash.run.steps = 3\ndash.sampling {\n  group-sise = 4\n}\n");
        var bad = Write(dir, "bad.conf", "dash.sampling {\n  temperature = hot\n}\n");
        var cluster = Write(dir, "cluster.conf", "# my cluster\ndash.cluster.ack-window = four\n");
        var cost = Write(dir, "cost.conf", "network {\n  latency-seconds = slow\n}\n");

        Assert.StartsWith($"dash.sampling.group-sise (from {typo}:3) is not a Dash setting. Did you mean dash.sampling.group-size?",
            Assert.Throws<SettingsException>(() => ConfigLoader.Load(files: [typo])).Message, StringComparison.Ordinal);
        Assert.StartsWith($"dash.sampling.temperature = \"hot\" is not a number (from {bad}:2).",
            Assert.Throws<SettingsException>(() => ConfigLoader.Load(files: [bad])).Message, StringComparison.Ordinal);
        Assert.StartsWith($"dash.cluster.ack-window = \"four\" is not an integer (from {cluster}:2).",
            Assert.Throws<SettingsException>(() => ClusterNodeSettings.Load(["sampler"], "127.0.0.1", 0, [], files: [cluster])).Message, StringComparison.Ordinal);
        Assert.StartsWith($"dash.simulate.network.latency-seconds = \"slow\" is not a number (from {cost}:2).",
            Assert.Throws<SettingsException>(() => CostModel.Load(files: [cost])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_let_a_later_override_win_and_name_it_when_it_is_the_bad_one()
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["run.steps=5", "run.steps=many"]));
        Assert.EndsWith("(from --set run.steps=many).", e.Message, StringComparison.Ordinal);
        Assert.Equal(7, ConfigLoader.Load(sets: ["run.steps=many", "run.steps=7"]).Settings.Run.Steps);
    }

    private static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
