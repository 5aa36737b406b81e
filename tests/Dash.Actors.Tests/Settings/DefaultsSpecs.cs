// Defaults that lived in code (checkpoint retention, snapshots, restarts, re-greeting, the weight-transfer stall,
// `dash eval`'s own) are keys of hocon/ with a typed property, and the code follows them.
using Dash.Actors.Cluster;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Settings;

public sealed class DefaultsSpecs : IDisposable
{
    private readonly RunHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Should_read_the_coordinators_defaults_from_hocon()
    {
        Assert.Equal(new CoordinatorSettings(2, 50, 5, TimeSpan.FromSeconds(5)), ConfigLoader.Load().Settings.Coordinator);
        var tuned = ConfigLoader.Load(sets: ["coordinator.keep-last=4", "coordinator.snapshot-every=off", "coordinator.max-restarts=0",
            "coordinator.regreet-seconds=0.5"]).Settings.Coordinator;
        Assert.Equal(new CoordinatorSettings(4, 0, 0, TimeSpan.FromMilliseconds(500)), tuned);
        Assert.Contains("dash.coordinator.keep-last = 0 is out of range [1, ",
            Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["coordinator.keep-last=0"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_leave_the_coordinators_keys_out_of_the_training_hash_and_the_resume_check()
    {
        var plain = ConfigLoader.Load().Text;
        var tuned = ConfigLoader.Load(sets: ["coordinator.keep-last=4", "coordinator.snapshot-every=10", "coordinator.max-restarts=9"]).Text;

        Assert.Equal(RunContext.TrainingHash(plain), RunContext.TrainingHash(tuned));
        Assert.Empty(RunDecisions.ChangedKeys(plain, tuned));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Should_keep_as_many_checkpoints_as_keep_last_says_besides_the_best(int keepLast)
    {
        var config = RunHarness.Settings("run.steps=6", $"coordinator.keep-last={keepLast}");
        _h.Run($"keep{keepLast}", config, new FakeEngineFactory());

        var kept = Directory.GetDirectories(_h.Checkpoints($"keep{keepLast}").Root, "step-*").Length;
        Assert.InRange(kept, keepLast, keepLast + 1); // + the best one, when it is not among the last
    }

    [Fact]
    public void Should_read_the_weight_transfer_stall_and_dash_evals_defaults_from_hocon()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), WeightTransferSettings.Default.StallAfter);
        Assert.Equal(TimeSpan.FromSeconds(2),
            ClusterNodeSettings.Load(["sampler"], "127.0.0.1", 0, [], sets: ["cluster.weight-stall-seconds=2"]).Transfer.StallAfter);
        var eval = EvalDefaults.Default;
        Assert.Equal(("math500", 512, 32, 0.6f, 4096), (eval.Data, eval.MaxNewTokens, eval.BatchSize, eval.Temperature, eval.MaxPromptTokens));
    }
}
