// Everything a run leaves in its folder besides the journal: metrics.jsonl/csv, eval.csv, plots, summary.md.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Host.Output;

/// <summary>
/// Writes metrics.jsonl, metrics.csv and eval.csv from a run's whole journaled history (one row per committed step and
/// evaluation since step 1), rewritten whole as steps arrive, so a resumed, rolled-back or re-run run's files equal an
/// uninterrupted run's. Plots and summary.md are written at the end. Steps are numbered 1..N (the checkpoint step-N).
/// </summary>
internal sealed class RunArtifacts
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly RunFolder _folder;
    private readonly List<StepReport> _steps = [];
    private readonly List<EvalReport> _evals = [];
    private readonly TorchSharp.Modules.SummaryWriter _tensorBoard;

    public RunArtifacts(RunFolder folder, RunState recovered)
    {
        _folder = folder;
        _tensorBoard = TorchSharp.torch.utils.tensorboard.SummaryWriter(folder.TensorBoard, createRunName: false);
        foreach (var s in recovered.Steps) _steps.Add(JsonSerializer.Deserialize<StepReport>(s.ReportJson)!);
        foreach (var e in recovered.Evals) _evals.Add(RunDecisions.ReportOf(e));
        Rewrite();
    }

    public IReadOnlyList<StepReport> Steps => _steps;
    public IReadOnlyList<EvalReport> Evals => _evals;

    /// <summary>
    /// Folds a newly journaled step or evaluation in and rewrites the metrics files from the whole history, so they stay
    /// a pure function of the journal: a step that runs again after a rollback replaces its row (and the later ones).
    /// </summary>
    public void On(object message)
    {
        switch (message)
        {
            case StepReport s:
                _steps.RemoveAll(x => x.Step >= s.Step);
                _evals.RemoveAll(x => x.Step > s.Step + 1);
                _steps.Add(s);
                Rewrite();
                TensorBoard(s);
                break;
            case EvalReport e:
                _evals.RemoveAll(x => x.Step == e.Step);
                _evals.Add(e);
                _evals.Sort((a, b) => a.Step.CompareTo(b.Step));
                Rewrite();
                _tensorBoard.add_scalar("eval/accuracy", (float)e.Accuracy, (int)e.Step);
                break;
        }
    }

    private void TensorBoard(StepReport s)
    {
        var step = (int)s.Step + 1;
        _tensorBoard.add_scalar("train/reward", (float)s.RewardMean, step);
        _tensorBoard.add_scalar("train/accuracy", (float)s.TrainAccuracy, step);
        _tensorBoard.add_scalar("train/kept_fraction", s.Kept / (float)Math.Max(1, s.Kept + s.Dropped), step);
        _tensorBoard.add_scalar("train/loss", (float)s.Loss, step);
        _tensorBoard.add_scalar("train/grad_norm", (float)s.GradNorm, step);
        _tensorBoard.add_scalar("train/completion_length", (float)s.MeanCompletionLength, step);
        _tensorBoard.add_scalar("time/step_seconds", (float)s.Seconds, step);
        foreach (var (phase, seconds) in s.PhaseSeconds) _tensorBoard.add_scalar($"time/{phase}", (float)seconds, step);
    }

    /// <summary>Writes plots and summary.md (<paramref name="supervised"/>: SFT; <paramref name="filtering"/>: gradient filtering on).</summary>
    public void Finish(TrainingFinished finished, string algorithm, bool supervised = false, bool filtering = true)
    {
        Plots.Write(_folder);
        ReportPlot.Write(_folder, _folder.Plots);
        File.WriteAllText(_folder.Summary, Summary(finished, algorithm, WhatItDid(_steps, supervised, filtering)));
    }

    /// <summary>One sentence on what the preset did with the samples: SFT's loss, or gradient filtering's share kept.</summary>
    internal static string WhatItDid(IReadOnlyList<StepReport> steps, bool supervised, bool filtering)
    {
        if (steps.Count == 0) return "";
        var all = steps.Sum(s => s.Kept + s.Dropped);
        if (supervised)
            return string.Create(Inv, $"Supervised fine-tuning on reference solutions: {steps.Sum(s => s.Samples)} samples in {steps.Count} steps, " +
                                      $"loss {steps[0].Loss:0.000} at the first step and {steps[^1].Loss:0.000} at the last (no rewards, no gradient filtering).");
        var kept = steps.Sum(s => s.Kept);
        return filtering
            ? string.Create(Inv, $"Gradient filtering kept {kept} of {all} samples ({(double)kept / Math.Max(1, all):P1}).")
            : string.Create(Inv, $"No gradient filtering (dash.advantage.filter-tau < 0): the policy learned from all {all} samples.");
    }

    private void Rewrite()
    {
        var jsonl = new StringBuilder();
        var csv = new StringBuilder(CsvHeader);
        var levels = LevelColumns(_evals);
        var eval = new StringBuilder(EvalHeader(levels));
        foreach (var s in _steps)
        {
            jsonl.Append(JsonLine("step", s with { Step = s.Step + 1 }));
            csv.Append(CsvRow(s));
        }
        foreach (var e in _evals)
        {
            jsonl.Append(JsonLine("eval", e));
            eval.Append(EvalRow(e, levels));
        }
        Replace(_folder.MetricsJsonl, jsonl.ToString());
        Replace(_folder.MetricsCsv, csv.ToString());
        Replace(_folder.EvalCsv, eval.ToString());
    }

    /// <summary>Writes a file whole, through a temporary file and a rename, so a crash never leaves half of it.</summary>
    private static void Replace(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private static string JsonLine(string type, object report)
    {
        var node = JsonSerializer.SerializeToNode(report, report.GetType())!.AsObject();
        node.Insert(0, "type", type);
        return node.ToJsonString() + "\n";
    }

    private const string CsvHeader =
        "step,policy_version,samples,reward_mean,train_accuracy,kept,dropped,zero_variance_groups,sampled_tokens,learned_tokens," +
        "mean_completion_length,loss,kl,grad_norm,learning_rate,seconds,sample_s,reward_s,advantage_s,learn_s,checkpoint_s,weight_sync_s\n";

    private static string CsvRow(StepReport s) => string.Join(',',
        s.Step + 1, s.PolicyVersion, s.Samples, F(s.RewardMean), F(s.TrainAccuracy), s.Kept, s.Dropped, s.ZeroVarianceGroups, s.SampledTokens,
        s.LearnedTokens, F(s.MeanCompletionLength), F(s.Loss), F(s.Kl), F(s.GradNorm), F(s.LearningRate), F(s.Seconds),
        F(s.PhaseSeconds.GetValueOrDefault(Phases.Sample)), F(s.PhaseSeconds.GetValueOrDefault(Phases.Reward)),
        F(s.PhaseSeconds.GetValueOrDefault(Phases.Advantage)), F(s.PhaseSeconds.GetValueOrDefault(Phases.Learn)),
        F(s.PhaseSeconds.GetValueOrDefault(Phases.Checkpoint)), F(s.PhaseSeconds.GetValueOrDefault(Phases.WeightSync))) + "\n";

    // eval.csv: the fixed columns, then accuracy_L<k> and problems_L<k> per level any evaluation has (empty where one lacks it).
    private static string EvalHeader(IReadOnlyList<string> levels) => "step,policy_version,problems,correct,accuracy,mean_completion_length,seconds" +
        string.Concat(levels.Select(l => $",accuracy_L{LevelNumber(l)},problems_L{LevelNumber(l)}")) + "\n";

    private static string EvalRow(EvalReport e, IReadOnlyList<string> levels) =>
        string.Join(',', e.Step, e.PolicyVersion, e.Problems, e.Correct, F(e.Accuracy), F(e.MeanCompletionLength), F(e.Seconds)) +
        string.Concat(levels.Select(l => e.Levels.FirstOrDefault(x => x.Level == l) is { } s ? $",{F(s.Accuracy)},{s.Problems}" : ",,")) + "\n";

    private static List<string> LevelColumns(IEnumerable<EvalReport> evals) =>
        [.. evals.SelectMany(e => e.Levels ?? []).Select(l => l.Level).Distinct(StringComparer.Ordinal).OrderBy(l => l, StringComparer.Ordinal)];

    private static string LevelNumber(string level) => level.StartsWith("Level ", StringComparison.Ordinal) ? level[6..] : level.Replace(' ', '_');

    private static string F(double x) => x.ToString("G6", Inv);

    /// <summary>Before, after the warm-up and after training, with 95 % intervals, and report.png (drawn from the same files).</summary>
    private string Story()
    {
        var warm = ReportPlot.WarmupOf(_folder);
        var stages = ReportPlot.Stages(RunData.Read(_folder), warm is null ? null : RunData.Read(warm));
        if (stages.Count < 2) return "";
        var sb = new StringBuilder();
        sb.AppendLine("| stage | held-out accuracy | 95 % interval (Wilson) |");
        sb.AppendLine("|---|---|---|");
        foreach (var s in stages)
        {
            var (low, high) = Stats.Wilson(s.Correct, s.Problems);
            sb.AppendLine(Inv, $"| {s.Name} | {s.Accuracy:P1} ({s.Correct}/{s.Problems}) | {low:P1} – {high:P1} |");
        }
        sb.AppendLine();
        sb.AppendLine(Inv, $"{ReportPlot.Headline(stages)} (the gain over the stage before, in standard errors of the difference).");
        sb.AppendLine();
        sb.AppendLine("![The run at a glance](plots/report.png)");
        sb.AppendLine();
        return sb.ToString();
    }

    private string Summary(TrainingFinished f, string algorithm, string whatItDid)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Run {_folder.Id}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Algorithm `{algorithm}`, {f.Steps} steps, policy version {f.PolicyVersion}, {f.Seconds:0.0} s in the last session.");
        sb.AppendLine();
        sb.AppendLine("| held-out accuracy (greedy pass@1) | value |");
        sb.AppendLine("|---|---|");
        if (f.First is not null) sb.AppendLine(Inv, $"| before training (step {f.First.Step}) | {f.First.Accuracy:P1} ({f.First.Correct}/{f.First.Problems}) |");
        if (f.Last is not null) sb.AppendLine(Inv, $"| after training (step {f.Last.Step}) | {f.Last.Accuracy:P1} ({f.Last.Correct}/{f.Last.Problems}) |");
        sb.AppendLine();
        sb.Append(Story());
        sb.AppendLine("| phase | seconds (all steps) |");
        sb.AppendLine("|---|---|");
        foreach (var phase in Phases.All)
        {
            var total = phase == Phases.Eval ? _evals.Sum(e => e.Seconds) : _steps.Sum(s => s.PhaseSeconds.GetValueOrDefault(phase));
            sb.AppendLine(Inv, $"| {phase} | {total:0.00} |");
        }
        sb.AppendLine();
        if (whatItDid.Length > 0) sb.AppendLine(whatItDid);
        sb.AppendLine();
        sb.AppendLine("Files: `metrics.jsonl`, `metrics.csv`, `eval.csv`, `plots/*.png`, `checkpoints/`, `journal.db`, `config.conf`.");
        return sb.ToString();
    }
}
