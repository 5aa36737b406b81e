// A run folder's plots and report.png, drawn from synthetic metrics.csv / eval.csv rows (per-level columns included).
using System.Globalization;
using System.Text;
using Dash.Actors.Persistence;
using Dash.Actors.Settings;
using Dash.Host.Output;
using Dash.Host.Training;

namespace Dash.Host.Tests.Output;

public sealed class RunPlotSpecs : IDisposable
{
    private const string MetricsHeader =
        "step,policy_version,samples,reward_mean,train_accuracy,kept,dropped,zero_variance_groups,sampled_tokens,learned_tokens," +
        "mean_completion_length,loss,kl,grad_norm,learning_rate,seconds,sample_s,reward_s,advantage_s,learn_s,checkpoint_s,weight_sync_s";

    private readonly string _runs = Directory.CreateTempSubdirectory("dash-plots-").FullName;

    public void Dispose() => Directory.Delete(_runs, recursive: true);

    /// <summary>A run folder with <paramref name="steps"/> rows of metrics and evaluations at the given steps and correct counts.</summary>
    private RunFolder Run(string id, string configText, int steps, double kl, (int Step, int Correct, int L2, int L3, int Pass)[] evals, bool sft = false)
    {
        var dir = Path.Combine(_runs, id);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.conf"), configText);
        var m = new StringBuilder(MetricsHeader + "\n");
        for (var s = 1; s <= steps; s++)
        {
            var reward = sft ? 1 : 0.3 + 0.3 * s / steps + (s % 3 == 0 ? 0.1 : -0.05);
            m.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{s},{s},128,{reward},{reward},{(sft ? 128 : 40 + s % 7)},{(sft ? 0 : 88 - s % 7)},20,2000,800,{24 - 4.0 * s / steps},{1.0 / s},{kl},{0.5 + s % 4 * 0.1},0.0003,0.5,0.3,0.01,0.01,0.15,0.03,0"));
        }
        File.WriteAllText(Path.Combine(dir, "metrics.csv"), m.ToString());
        var e = new StringBuilder("step,policy_version,problems,correct,accuracy,mean_completion_length,seconds,accuracy_L2,problems_L2,accuracy_L3,problems_L3,pass_at_8\n");
        foreach (var (step, correct, l2, l3, pass) in evals)
            e.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{step},{step},500,{correct},{correct / 500.0},22,3,{l2 / 250.0},250,{l3 / 250.0},250,{pass / 500.0}"));
        File.WriteAllText(Path.Combine(dir, "eval.csv"), e.ToString());
        return new RunFolder(dir);
    }

    private static string RlConfig() => ConfigLoader.Load(sets: ["model.warmup-steps=40"], algorithm: "dash").Text;

    private RunFolder RlWithWarmup()
    {
        var rl = RlConfig();
        var warmId = TrainingSession.WarmupIdOf(rl)!;
        Run(warmId, ConfigLoader.Load(sets: ["model.warmup-steps=40", "learning.mode=sft"], algorithm: "sft").Text, 40, 0,
            [(0, 0, 0, 0, 0), (40, 90, 60, 30, 300)], sft: true);
        return Run("dash-s1", rl, 30, 0, [(0, 90, 60, 30, 300), (15, 120, 75, 45, 320), (30, 150, 90, 60, 340)]);
    }

    private static string[] Names(IEnumerable<string> paths) => [.. paths.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!];

    [Fact]
    public void Should_read_one_held_out_series_per_level_and_the_sampled_pass_at_k_from_eval_csv()
    {
        var series = RunData.Read(RlWithWarmup()).Accuracy();
        Assert.Equal(["all levels", "level 2", "level 3", "pass@8 (sampled)"], series.Select(s => s.Label));
        Assert.Equal([90.0, 120, 150], series[0].Correct);
        Assert.Equal([30.0, 45, 60], series[2].Correct.Select(c => Math.Round(c)));
        Assert.Equal([250.0, 250, 250], series[2].Problems);
        Assert.True(series[3].Sampled);
    }

    [Fact]
    public void Should_draw_held_out_accuracy_with_a_band_per_level_on_an_axis_from_zero()
    {
        var run = RunData.Read(RlWithWarmup());
        using var plot = new ScottPlot.Plot();
        PlotKit.Style(plot, "t", "x", "y", p => Plots.Accuracy(p, run, run.EvalSteps));
        var limits = plot.Axes.GetLimits();
        Assert.Equal(0, limits.Bottom);
        Assert.Equal(0.8, limits.Top, 10); // the round tenth above the highest band (pass@8: 68 %, band to 72 %), not a zoomed-in axis
        Assert.Equal(3, plot.GetPlottables().OfType<ScottPlot.Plottables.FillY>().Count()); // all, level 2, level 3 (pass@8 has none)
        Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>()); // the legend sits outside the data
    }

    [Fact]
    public void Should_draw_reward_loss_grad_norm_kept_fraction_and_length_of_an_rl_run_and_kl_only_when_it_was_measured()
    {
        var run = RlWithWarmup();
        var names = Names(Plots.Write(run));
        Assert.Equal(["accuracy_vs_step", "accuracy_vs_time", "completion_length", "grad_norm", "kept_fraction", "loss_vs_step", "phase_times",
            "reward_vs_step", "reward_vs_time"], names);
        Assert.All(Directory.GetFiles(run.Plots), f => Assert.True(new FileInfo(f).Length > 10_000, f));

        var withKl = Run("dash-kl-s1", RlConfig(), 10, 0.02, [(0, 90, 60, 30, 300), (10, 100, 60, 40, 300)]);
        Assert.Contains("kl", Names(Plots.Write(withKl)));
    }

    [Fact]
    public void Should_plot_a_supervised_runs_loss_and_no_constant_reward()
    {
        var rl = RlWithWarmup();
        var warm = ReportPlot.WarmupOf(rl)!;
        var names = Names(Plots.Write(warm));
        Assert.Contains("loss_vs_step", names);
        Assert.DoesNotContain("reward_vs_step", names);
        Assert.DoesNotContain("kept_fraction", names);
    }

    [Fact]
    public void Should_tell_before_training_after_the_warmup_and_after_rl_in_the_report()
    {
        var rl = RlWithWarmup();
        var warm = ReportPlot.WarmupOf(rl);
        Assert.NotNull(warm);
        var stages = ReportPlot.Stages(RunData.Read(rl), RunData.Read(warm));
        Assert.Equal(["before training", "after warm-up", "after RL"], stages.Select(s => s.Name));
        Assert.Equal([0, 90, 150], stages.Select(s => s.Correct));
        // 18 % -> 30 % of 500: +12 points, se = sqrt(.18*.82/500 + .3*.7/500) = 0.0265, so 4.5 sigma.
        Assert.Equal("after RL: +12.0 points, 4.5σ", ReportPlot.Headline(stages));
        var png = ReportPlot.Write(rl, rl.Plots);
        Assert.True(new FileInfo(png).Length > 30_000, $"{png} is {new FileInfo(png).Length} bytes");
    }

    [Fact]
    public void Should_report_a_run_without_a_warmup_as_before_and_after()
    {
        var run = Run("grpo-s1", ConfigLoader.Load(sets: ["model.warmup-steps=0"], algorithm: "grpo").Text, 10, 0, [(0, 10, 5, 5, 50), (10, 20, 10, 10, 60)]);
        Assert.Null(ReportPlot.WarmupOf(run));
        var stages = ReportPlot.Stages(RunData.Read(run), null);
        Assert.Equal(["before training", "after RL"], stages.Select(s => s.Name));
        Assert.True(File.Exists(ReportPlot.Write(run, run.Plots)));
    }
}
