// dash bench plot: the paper's stacked per-phase bars from a compare table and throughput curves from a model report.
namespace Dash.Host.Tests;

public sealed class BenchPlotSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-plot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("dash", "dash")]
    [InlineData("dash+sampling.max-policy-lag=1+model.share-cpu-thread=on", "dash\n+max-policy-lag=1\n+share-cpu-thread=on")]
    [InlineData("grpo+learning.learning-rate=2.1e-4", "grpo\n+learning-rate=2.1e-4")]
    public void Should_label_each_setting_of_a_compare_row_on_its_own_line_without_its_section(string algorithm, string expected)
    {
        Assert.Equal(expected, Dash.Host.Output.BenchPlots.TickLabel(algorithm));
    }

    private const string Compare = """
        Same seed, prompts, model and 30 optimizer steps per run; 3 interleaved repeats; medians.

        | algorithm | training s | ratio to grpo | sample s | reward s | advantage s | learn s | checkpoint s | weight-sync s | kept | completion length (last 5 steps) | accuracy before → after |
        |---|---|---|---|---|---|---|---|---|---|---|---|
        | grpo | 33.7 | 1.00 | 28.2 | 0.1 | 0.0 | 4.4 | 1.1 | 0.0 | 100 % | 20.4 | 11.0 % → 14.5 % |
        | dash | 6.6 | 0.20 | 4.1 | 0.0 | 0.0 | 1.4 | 1.0 | 0.0 | 24 % | 20.4 | 11.0 % → 16.5 % |
        """;

    private const string Model = """
        **tiny** — 0.80M parameters (d128, 4 layers, 4 heads / 2 KV, FFN 384, vocab 99, tied); AdamW step 3.1 ms.

        | sampling batch | 1 | 4 | 16 | 64 | 256 |
        |---|---|---|---|---|---|
        | new tokens/s | 278 | 913 | 4,366 | 14,255 | 70,143 |
        | peak RSS MiB | 1,159 | 1,181 | 1,199 | 1,218 | 1,237 |

        | micro-batch | 1 | 4 | 16 | 64 |
        |---|---|---|---|---|
        | train tokens/s | 5,094 | 26,468 | 105,617 | 348,171 |
        | peak RSS MiB | 1,273 | 1,276 | 1,276 | 1,290 |

        **qwen-0.5b** — 494.03M parameters (d896, 24 layers, 14 heads / 2 KV, FFN 4864, vocab 151936, tied); AdamW step 35.9 ms.

        | sampling batch | 1 | 4 | 16 | 64 | 256 |
        |---|---|---|---|---|---|
        | new tokens/s | 35 | 135 | 439 | 1,939 | 7,832 |
        | peak RSS MiB | 2,006 | 2,020 | 2,020 | 2,020 | 2,020 |
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void AssertPng(string path)
    {
        Assert.True(File.Exists(path), path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 5_000, $"{path} is only {bytes.Length} bytes");
    }

    [Fact]
    public void Should_read_the_phases_and_totals_of_a_compare_table()
    {
        var rows = Dash.Host.Output.BenchPlots.ParseCompare(Compare.Split('\n'), "compare.md");
        Assert.Equal(["grpo", "dash"], rows.Select(r => r.Algorithm));
        Assert.Equal(33.7, rows[0].TrainingSeconds);
        Assert.Equal(["sample", "reward", "advantage", "learn", "checkpoint", "weight-sync"], rows[1].Phases.Select(p => p.Phase));
        Assert.Equal([4.1, 0.0, 0.0, 1.4, 1.0, 0.0], rows[1].Phases.Select(p => p.Seconds));
    }

    [Fact]
    public void Should_read_every_models_curves_from_a_model_report()
    {
        var models = Dash.Host.Output.BenchPlots.ParseModels(Model.Split('\n'), "model.md");
        Assert.Equal(["tiny", "qwen-0.5b"], models.Select(m => m.Model));
        Assert.Equal([(1, 278.0), (4, 913.0), (16, 4366.0), (64, 14255.0), (256, 70143.0)], models[0].Sampling);
        Assert.Equal(348171.0, models[0].Training[^1].TokensPerSecond);
        Assert.Empty(models[1].Training);
    }

    [Fact]
    public void Should_draw_the_stacked_phase_bars_and_the_throughput_curves()
    {
        var outDir = Path.Combine(_dir, "png");
        var r = CliHarness.Run("bench", "plot", Write("compare-gpu.md", Compare), Write("model-gpu.md", Model), "-o", outDir);
        Assert.True(r.ExitCode == 0, r.Err);
        AssertPng(Path.Combine(outDir, "compare-gpu-phases.png"));
        AssertPng(Path.Combine(outDir, "model-gpu-sampling.png"));
        AssertPng(Path.Combine(outDir, "model-gpu-training.png"));
    }

    [Fact]
    public void Should_name_the_file_when_it_holds_no_results_table()
    {
        var r = CliHarness.Run("bench", "plot", Write("notes.md", "# just notes\n"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("notes.md", r.Err, StringComparison.Ordinal);
        Assert.Contains("no `dash bench compare` table", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_line_of_a_cell_that_is_not_a_number()
    {
        var r = CliHarness.Run("bench", "plot", Write("broken.md", Compare.Replace("| 4.1 |", "| fast |", StringComparison.Ordinal)));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("broken.md:6", r.Err, StringComparison.Ordinal);
        Assert.Contains("\"fast\" is not a number", r.Err, StringComparison.Ordinal);
    }
}
