// A tiny `dash train` through the CLI leaves every run-folder artefact, readable, and `dash runs` reports it.
using System.Text.Json;

namespace Dash.Host.Tests;

public sealed class TrainArtifactSpecs : IDisposable
{
    private readonly string _runs = Directory.CreateTempSubdirectory("dash-train-").FullName;

    public void Dispose() => Directory.Delete(_runs, recursive: true);

    private CliResult TinyTrain(params string[] extra) => CliHarness.Run([
        "train", "--runs-dir", _runs, "--run-id", "tiny", "--steps", "3", "--set", "model.warmup-steps=2", "--set", "model.warmup-batch=8",
        "--set", "sampling.prompts-per-step=4", "--set", "sampling.batch-size=16", "--set", "run.eval-problems=8", "--set", "run.eval-every=2",
        "--set", "sampling.max-new-tokens=16", .. extra,
    ]);

    [Fact]
    public void Should_leave_metrics_plots_tensorboard_checkpoints_and_a_summary()
    {
        var r = TinyTrain();
        Assert.True(r.ExitCode == 0, r.Err);
        var run = Path.Combine(_runs, "tiny");

        var jsonl = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, jsonl.Count(e => e.GetProperty("type").GetString() == "step"));
        Assert.Equal(3, jsonl.Count(e => e.GetProperty("type").GetString() == "eval")); // before, after step 2, after step 3

        var csv = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        var header = csv[0].Split(',');
        Assert.Equal(4, csv.Length);
        Assert.All(csv.Skip(1), row => Assert.Equal(header.Length, row.Split(',').Length));
        Assert.All(csv.Skip(1), row => double.Parse(row.Split(',')[Array.IndexOf(header, "reward_mean")], System.Globalization.CultureInfo.InvariantCulture));

        foreach (var png in new[] { "reward_vs_step", "reward_vs_time", "accuracy_vs_step", "accuracy_vs_time", "phase_times" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(run, "plots", png + ".png"));
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
            Assert.True(bytes.Length > 10_000, $"{png}.png has only {bytes.Length} bytes");
        }

        var events = Directory.GetFiles(Path.Combine(run, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories);
        var records = TensorBoardRecords(Assert.Single(events));
        Assert.True(records.Count >= 8, $"only {records.Count} TensorBoard records");
        Assert.Contains(records, r => System.Text.Encoding.UTF8.GetString(r).Contains("train/reward", StringComparison.Ordinal));

        var summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        Assert.Contains("held-out accuracy", summary, StringComparison.Ordinal);
        Assert.True(Directory.GetDirectories(Path.Combine(run, "checkpoints")).Length >= 1);
        Assert.True(File.Exists(Path.Combine(run, "config.conf")));
        Assert.Single(Directory.GetDirectories(_runs, "warmup-*"));
        Assert.Contains("after RL", r.Out, StringComparison.Ordinal);

        var list = CliHarness.Run("runs", "list", "--runs-dir", _runs);
        Assert.Contains("tiny ", list.Out, StringComparison.Ordinal);
        Assert.Contains("finished", list.Out, StringComparison.Ordinal);
        var show = CliHarness.Run("runs", "show", "tiny", "--runs-dir", _runs);
        Assert.Equal(0, show.ExitCode);
        var rows = show.Out.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+\d+\s+-?\d+\.\d{3}\s")).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Contains("step-000003", rows[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_to_resume_with_a_changed_configuration_naming_the_key()
    {
        Assert.Equal(0, TinyTrain().ExitCode);
        var r = TinyTrain("--set", "sampling.temperature=0.5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("dash.sampling.temperature", r.Err, StringComparison.Ordinal);
        Assert.Contains("--allow-config-change", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_run_the_headline_benchmark_in_miniature()
    {
        var output = Path.Combine(_runs, "compare.md");
        var r = CliHarness.Run("bench", "compare", "--algorithms", "grpo,dash", "--steps", "2", "--repeats", "1", "--runs-dir", _runs, "-o", output,
            "--set", "model.warmup-steps=2", "--set", "model.warmup-batch=8", "--set", "sampling.prompts-per-step=4", "--set", "sampling.batch-size=16",
            "--set", "run.eval-problems=8", "--set", "sampling.max-new-tokens=16", "--set", "learning.micro-batch-size=4");
        Assert.True(r.ExitCode == 0, r.Err);
        var table = File.ReadAllLines(output);
        Assert.Contains(table, l => l.StartsWith("| grpo | ", StringComparison.Ordinal) && l.Contains("| 1.00 |", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("| dash | ", StringComparison.Ordinal));
        Assert.True(new FileInfo(Path.Combine(_runs, "compare-phases.png")).Length > 5_000, "the stacked phase bars were not drawn");
    }

    [Fact]
    public void Should_time_the_actor_pipeline_against_the_plain_loop_end_to_end_and_per_step()
    {
        var r = CliHarness.Run("bench", "overhead", "--steps", "3", "--repeats", "1", "--runs-dir", _runs,
            "--set", "sampling.prompts-per-step=4", "--set", "sampling.batch-size=16", "--set", "sampling.max-new-tokens=16", "--set", "learning.micro-batch-size=4");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Matches(@"repeat 1: actors [0-9.]+ s \([0-9.]+ s/step\), plain loop [0-9.]+ s \([0-9.]+ s/step\)", r.Out);
        Assert.Matches(@"median end to end: actor pipeline [0-9.]+ s, plain loop [0-9.]+ s, ratio [0-9.]+", r.Out);
        Assert.Matches(@"median per step \(steady state\): actor pipeline [0-9.]+ s, plain loop [0-9.]+ s, ratio [0-9.]+ \(3 steps, 1 repeats\)", r.Out);
        Assert.DoesNotContain("NaN", r.Out, StringComparison.Ordinal);
    }

    /// <summary>Splits a TFRecord file: [u64 length][u32 crc][data][u32 crc] records.</summary>
    private static List<byte[]> TensorBoardRecords(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (var i = 0; i < bytes.Length;)
        {
            var length = (int)BitConverter.ToUInt64(bytes, i);
            Assert.InRange(i + 12 + length + 4, 0, bytes.Length);
            records.Add(bytes[(i + 12)..(i + 12 + length)]);
            i += 12 + length + 4;
        }
        return records;
    }
}
