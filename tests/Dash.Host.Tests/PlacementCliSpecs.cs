// dash train and dash node say which actor holds which device at start, and refuse an impossible placement in one line.
using Dash.Host.Tests.Runs;

namespace Dash.Host.Tests;

public sealed class PlacementCliSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void Should_report_each_actors_device_once_at_the_start_of_a_run()
    {
        var r = _runs.Train("placed", 1, warmup: 0, "sampling.samplers=2", "sampling.devices=cpu,cpu", "learning.device=cpu", "learning.kl-beta=0.04");

        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n');
        foreach (var actor in new[] { "sampler-0 on cpu (dash.sampling.devices[0])", "sampler-1 on cpu (dash.sampling.devices[1])",
                                      "learner on cpu (dash.learning.device)", "reference on cpu (dash.learning.device)" })
            Assert.Single(lines, l => l.StartsWith("  " + actor + ": ~", StringComparison.Ordinal));
        var memory = Assert.Single(lines, l => l.StartsWith("  memory: cpu needs ~", StringComparison.Ordinal));
        Assert.EndsWith("free (sampler-0, sampler-1, learner, reference).", memory, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dash.sampling.devices[1] = \"cuda:1\" but CUDA is not available", "sampling.devices=cpu,cuda:1")]
    [InlineData("dash.learning.reference-device = \"gpu\" is not a device", "learning.reference-device=gpu")]
    [InlineData("dash.sampling.samplers = 3 but dash.sampling.exclusive-devices = on", "sampling.samplers=3", "sampling.devices=cpu,cpu", "sampling.exclusive-devices=on")]
    [InlineData("memory check: cpu needs ~", "sampling.batch-size=100000")]
    public void Should_refuse_a_placement_in_one_line_before_creating_any_run(string message, params string[] sets)
    {
        var r = _runs.Train("refused", 1, warmup: 2, sets);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("dash: " + message, Assert.Single(r.Err.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_runs.Dir));
    }

    [Fact]
    public void Should_report_a_sampler_nodes_devices_and_refuse_cuda_it_lacks()
    {
        var refused = CliHarness.Run("node", "--role", "sampler", "--seed-nodes", "127.0.0.1:1", "--set", "sampling.devices=[\"cuda:0\"]");
        var placed = CliHarness.Run("node", "--role", "sampler", "--seed-nodes", "127.0.0.1:1", "--set", "cluster.join-timeout-seconds=1",
            "--set", "sampling.samplers=2", "--set", "learning.device=cuda:5");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("dash.sampling.devices[0] = \"cuda:0\" but CUDA is not available", refused.Err, StringComparison.Ordinal);
        Assert.Contains("  sampler-1 on cpu (dash.model.device): ~", placed.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("learner", placed.Out, StringComparison.Ordinal); // The learner is the coordinator node's: its cuda:5 is not checked here.
        Assert.Contains("could not join the cluster", placed.Err, StringComparison.Ordinal);
    }
}
