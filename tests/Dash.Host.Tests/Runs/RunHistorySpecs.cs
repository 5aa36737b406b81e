// A run read back from its whole journal: artefacts, `dash runs` and the warm-up RL starts from survive snapshots and rollbacks.
namespace Dash.Host.Tests.Runs;

public sealed class RunHistorySpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void Should_keep_every_row_of_a_run_longer_than_a_snapshot_when_it_is_run_again()
    {
        // 48 warm-up steps journal 52 events: the coordinator snapshots at event 50. The warm-up saves every 10 steps.
        Assert.Equal(0, _runs.Train("long", 1, warmup: 48, "model.warmup-checkpoint-every=10").ExitCode);
        var metrics = Path.Combine(_runs.Warmup, "metrics.csv");
        Assert.Equal(48, TinyRuns.Steps(metrics).Length);

        var again = _runs.Train("long", 1, warmup: 48, "model.warmup-checkpoint-every=10");

        Assert.True(again.ExitCode == 0, again.Err);
        Assert.Equal(48, TinyRuns.Steps(metrics).Length);
        Assert.Equal(48, TinyRuns.Steps(metrics).Distinct().Count());
        var list = _runs.Runs("list");
        var row = list.Out.Split('\n').Single(l => l.StartsWith(Path.GetFileName(_runs.Warmup), StringComparison.Ordinal));
        Assert.Contains(" 48 ", row, StringComparison.Ordinal);
        var show = _runs.Runs("show", Path.GetFileName(_runs.Warmup));
        Assert.Contains("48 committed steps", show.Out, StringComparison.Ordinal);
        var onDisk = _runs.Checkpoints(Path.GetFileName(_runs.Warmup)).Select(Path.GetFileName).ToArray();
        Assert.Contains($"checkpoints on disk: {string.Join(", ", onDisk)}", show.Out, StringComparison.Ordinal);
        Assert.Equal(new string?[] { "step-000040", "step-000048" }, onDisk);
        var rows = show.Out.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        string Row(int step) => rows.Single(l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"^\s*{step}\s+[0-9.]+\s"));
        Assert.EndsWith("(removed)", Row(10), StringComparison.Ordinal);
        Assert.EndsWith("- (not saved: dash.coordinator.checkpoint-every)", Row(1), StringComparison.Ordinal);
        Assert.EndsWith("step-000048", Row(48), StringComparison.Ordinal);
        Assert.Contains("last checkpoint step-000048", show.Out, StringComparison.Ordinal);
        // A supervised run shows its loss, not a reward of 1.000 and a train accuracy of 100 % it never measured.
        Assert.Matches(@"^\s*step\s+loss\s+samples\s+tokens/s\s+seconds\s+checkpoint$", rows.Single(l => l.TrimStart().StartsWith("step ", StringComparison.Ordinal)));
        var loss = double.Parse(Row(48).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(loss, 0.001, 10);
    }

    [Fact]
    public void Should_start_rl_from_the_last_checkpoint_of_a_warm_up_longer_than_a_snapshot()
    {
        Assert.Equal(0, _runs.Train("warm", 1, warmup: 48).ExitCode);
        Assert.Equal(0, _runs.Train("cold", 1, warmup: 0).ExitCode);

        Assert.NotEqual(TinyRuns.Digest(_runs.Checkpoints("cold")[0]), TinyRuns.Digest(_runs.Checkpoints("warm")[0]));
    }

    [Fact]
    public void Should_replace_the_rows_of_rolled_back_steps_instead_of_appending_them_again()
    {
        Assert.Equal(0, _runs.Train("rollback", 4).ExitCode);
        TinyRuns.Flip(_runs.Checkpoints("rollback")[^1]);

        var resumed = _runs.Train("rollback", 6);

        Assert.True(resumed.ExitCode == 0, resumed.Err);
        var steps = TinyRuns.Steps(Path.Combine(_runs.Run("rollback"), "metrics.csv"));
        Assert.Equal(6, steps.Length);
        Assert.Equal(6, steps.Distinct().Count());
        var evals = TinyRuns.Steps(Path.Combine(_runs.Run("rollback"), "eval.csv"));
        Assert.Equal(evals.Distinct().Count(), evals.Length);
    }

    [Fact]
    public void Should_retrain_the_damaged_last_step_of_a_finished_run_once()
    {
        Assert.Equal(0, _runs.Train("finished", 3).ExitCode);
        var last = _runs.Checkpoints("finished")[^1];
        var digest = TinyRuns.Digest(last);
        TinyRuns.Flip(last);

        var again = _runs.Train("finished", 3);

        Assert.True(again.ExitCode == 0, again.Err);
        Assert.DoesNotContain("UNIQUE", again.Out + again.Err, StringComparison.Ordinal);
        Assert.Equal(digest, TinyRuns.Digest(last)); // retrained bit-identically
        var steps = TinyRuns.Steps(Path.Combine(_runs.Run("finished"), "metrics.csv"));
        Assert.Equal(3, steps.Length);
        Assert.Equal(3, steps.Distinct().Count());
    }

    [Fact]
    public void Should_warn_naming_the_file_and_retrain_a_damaged_warm_up_checkpoint_before_rl_uses_it()
    {
        Assert.Equal(0, _runs.Train("first", 1, warmup: 2).ExitCode);
        var warm = _runs.Checkpoints(Path.GetFileName(_runs.Warmup))[^1];
        var digest = TinyRuns.Digest(warm);
        var file = TinyRuns.Flip(warm);

        var second = _runs.Train("second", 1, warmup: 2);

        Assert.True(second.ExitCode == 0, second.Err);
        Assert.Contains(Path.GetFileName(file), second.Out + second.Err, StringComparison.Ordinal);
        Assert.Equal(digest, TinyRuns.Digest(warm));
        Assert.Equal(TinyRuns.Digest(_runs.Checkpoints("first")[0]), TinyRuns.Digest(_runs.Checkpoints("second")[0]));
    }
}
