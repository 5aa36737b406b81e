// Per-role device placement: parsing the device keys, spreading samplers, and the one-line refusals at start-up.
using Dash.Actors.Engines.Torch;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Engines;

public sealed class DevicePlacementSpecs
{
    private static DashSettings Settings(params string[] sets) => ConfigLoader.Load(sets: sets).Settings;

    private static string[] Placed(DevicePlacement p) => [.. p.Actors.Select(a => $"{a.Actor}={a.Device}")];

    /// <summary>A node with two 80 GB GPUs and 64 GB of RAM.</summary>
    private static readonly FixedDevices TwoGpus = new(64L << 30, 80L << 30, 80L << 30);

    [Fact]
    public void Should_put_every_actor_on_model_device_by_default()
    {
        var p = DevicePlacement.Plan(Settings("sampling.samplers=2", "learning.kl-beta=0.04", "model.device=cuda:1"), HostedRoles.All);

        Assert.Equal(["sampler-0=cuda:1", "sampler-1=cuda:1", "learner=cuda:1", "reference=cuda:1"], Placed(p));
        Assert.All(p.Actors, a => Assert.Equal("dash.model.device", a.Key));
    }

    [Fact]
    public void Should_spread_samplers_round_robin_over_the_list()
    {
        var p = DevicePlacement.Plan(Settings("sampling.samplers=5", "sampling.devices=cuda:0,cuda:1", "learning.device=cuda:2"), HostedRoles.All);

        Assert.Equal(["sampler-0=cuda:0", "sampler-1=cuda:1", "sampler-2=cuda:0", "sampler-3=cuda:1", "sampler-4=cuda:0", "learner=cuda:2"], Placed(p));
        Assert.Equal("dash.sampling.devices[1]", p.Actors[3].Key);
    }

    [Fact]
    public void Should_give_the_reference_the_learners_device_unless_it_has_its_own()
    {
        var shared = DevicePlacement.Plan(Settings("learning.kl-beta=0.04", "learning.device=cuda:1"), HostedRoles.Learner);
        var own = DevicePlacement.Plan(Settings("learning.kl-beta=0.04", "learning.device=cuda:1", "learning.reference-device=cuda:0"), HostedRoles.Learner);

        Assert.Equal(["learner=cuda:1", "reference=cuda:1"], Placed(shared));
        Assert.Equal(["learner=cuda:1", "reference=cuda:0"], Placed(own));
        Assert.Equal("dash.learning.reference-device", own.Actors[1].Key);
    }

    [Fact]
    public void Should_place_only_the_roles_a_node_hosts()
    {
        var s = Settings("sampling.samplers=2", "sampling.devices=cuda:0,cuda:1", "learning.device=cuda:7");

        Assert.Equal(["sampler-0=cuda:0", "sampler-1=cuda:1"], Placed(DevicePlacement.Plan(s, HostedRoles.Samplers).Check(TwoGpus, exclusive: false)));
        Assert.Equal(["learner=cuda:7"], Placed(DevicePlacement.Plan(s, HostedRoles.Learner)));
    }

    [Theory]
    [InlineData("model.device=gpu", "dash.model.device = \"gpu\" is not a device")]
    [InlineData("model.device=cuda:", "dash.model.device = \"cuda:\" is not a device")]
    [InlineData("learning.device=cuda:-1", "dash.learning.device = \"cuda:-1\" is not a device")]
    [InlineData("learning.reference-device=cuda0", "dash.learning.reference-device = \"cuda0\" is not a device")]
    [InlineData("sampling.devices=cuda:0,cuda:x", "dash.sampling.devices[1] = \"cuda:x\" is not a device")]
    [InlineData("sampling.devices=[\"cpu\", \"gpu\"]", "dash.sampling.devices[1] = \"gpu\" is not a device")]
    [InlineData("sampling.devices=[]", "dash.sampling.devices must list devices")]
    public void Should_refuse_a_malformed_device_naming_the_key(string set, string message)
    {
        var e = Assert.Throws<SettingsException>(() => Settings(set));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Should_refuse_a_cuda_index_the_node_does_not_have()
    {
        var s = Settings("sampling.samplers=2", "sampling.devices=[\"cuda:0\", \"cuda:3\"]");

        var e = Assert.Throws<SettingsException>(() => DevicePlacement.Plan(s, HostedRoles.All).Check(TwoGpus, exclusive: false));

        Assert.Equal("dash.sampling.devices[1] = \"cuda:3\" but this node has 2 CUDA device(s) (cuda:0..cuda:1): name one of those, " +
                     "or run this actor on another node.", e.Message);
    }

    [Fact]
    public void Should_refuse_a_listed_device_the_node_lacks_even_when_no_sampler_takes_it()
    {
        var s = Settings("sampling.samplers=1", "sampling.devices=cpu,cuda:2");

        var e = Assert.Throws<SettingsException>(() => DevicePlacement.Plan(s, HostedRoles.All).Check(TwoGpus, exclusive: false));

        Assert.StartsWith("dash.sampling.devices[1] = \"cuda:2\" but this node has 2 CUDA device(s)", e.Message, StringComparison.Ordinal);
        Assert.Equal(["sampler-0=cpu", "learner=cpu"], Placed(DevicePlacement.Plan(s, HostedRoles.All)));
    }

    [Fact]
    public void Should_refuse_a_cuda_device_on_a_node_without_cuda()
    {
        var s = Settings("learning.device=cuda");

        var e = Assert.Throws<SettingsException>(() => DevicePlacement.Plan(s, HostedRoles.All).Check(new FixedDevices(64L << 30), exclusive: false));

        Assert.StartsWith("dash.learning.device = \"cuda:0\" but CUDA is not available", e.Message, StringComparison.Ordinal);
        Assert.Equal(["sampler-0=cpu"], Placed(DevicePlacement.Plan(s, HostedRoles.Samplers).Check(new FixedDevices(64L << 30), exclusive: false)));
    }

    [Fact]
    public void Should_refuse_more_samplers_than_devices_when_placement_is_exclusive()
    {
        var e = Assert.Throws<SettingsException>(() =>
            Settings("sampling.samplers=3", "sampling.devices=cuda:0,cuda:1", "sampling.exclusive-devices=on"));

        Assert.StartsWith("dash.sampling.samplers = 3 but dash.sampling.exclusive-devices = on and dash.sampling.devices lists 2 device(s)",
            e.Message, StringComparison.Ordinal);
        Assert.Equal(3, Settings("sampling.samplers=3", "sampling.devices=cuda:0,cuda:1").Sampling.Samplers); // Shared: allowed.
    }

    [Fact]
    public void Should_refuse_a_device_listed_twice_when_placement_is_exclusive()
    {
        var e = Assert.Throws<SettingsException>(() =>
            Settings("sampling.samplers=2", "sampling.devices=cuda, cuda:0", "sampling.exclusive-devices=on"));

        Assert.StartsWith("dash.sampling.devices lists cuda:0 2 times", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_learner_on_a_samplers_device_when_placement_is_exclusive()
    {
        var s = Settings("sampling.samplers=2", "sampling.devices=cuda:0,cuda:1", "sampling.exclusive-devices=on", "learning.device=cuda:1");

        var e = Assert.Throws<SettingsException>(() => DevicePlacement.Plan(s, HostedRoles.All).Check(TwoGpus, exclusive: true));

        Assert.StartsWith("dash.sampling.exclusive-devices = on but the learner (dash.learning.device = \"cuda:1\") would share cuda:1 with a sampler",
            e.Message, StringComparison.Ordinal);
        // On a cluster the samplers' node and the learner's node have GPUs of their own: no conflict.
        Assert.Single(DevicePlacement.Plan(s, HostedRoles.Learner).Check(TwoGpus, exclusive: true).Actors);
    }

    [Fact]
    public void Should_leave_thread_exclusivity_and_memory_check_settings_out_of_the_training_hash()
    {
        var plain = ConfigLoader.Load().Text;
        var tuned = ConfigLoader.Load(sets: ["sampling.exclusive-devices=on", "sampling.devices=cpu", "verifier.threads=3", "model.memory-check=off"]).Text;
        var moved = ConfigLoader.Load(sets: ["sampling.devices=cpu"]).Text;

        Assert.Equal(RunContext.TrainingHash(moved), RunContext.TrainingHash(tuned));
        Assert.Equal(RunContext.TrainingHash(plain), RunContext.TrainingHash(ConfigLoader.Load(sets: ["verifier.threads=1"]).Text));
    }
}
