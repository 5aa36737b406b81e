// Shows training as it happens: a live progress bar on a terminal, one plain line per event otherwise (CI, logs).
using System.Globalization;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Spectre.Console;

namespace Dash.Host.Output;

/// <param name="supervised">SFT (the warm-up): its steps show their loss; reward, accuracy and kept samples mean nothing there.</param>
internal sealed class TrainingDisplay(Console2 console, int totalSteps, long startStep, bool supervised = false)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly DateTime _started = DateTime.UtcNow;
    private ProgressTask? _bar;

    /// <summary>Runs <paramref name="loop"/> under a live progress bar when the output is a terminal.</summary>
    public void Live(Action loop)
    {
        if (!console.IsTerminal)
        {
            loop();
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _bar = ctx.AddTask("training", maxValue: Math.Max(1, totalSteps));
                _bar.Value = startStep;
                loop();
            });
    }

    public void On(object message)
    {
        switch (message)
        {
            case StepReport s:
                var what = supervised
                    ? string.Create(Inv, $"loss {s.Loss:0.000}  samples {s.Samples}")
                    : string.Create(Inv, $"reward {s.RewardMean:0.000}  train-acc {s.TrainAccuracy:P0}  kept {s.Kept}/{s.Kept + s.Dropped}");
                Write(string.Create(Inv,
                    $"step {s.Step + 1}/{totalSteps}  {what}  tok/s {(s.Seconds > 0 ? s.SampledTokens / s.Seconds : 0):0}  {Phases(s)}  eta {Eta(s.Step + 1)}"));
                if (_bar is not null)
                {
                    _bar.Value = s.Step + 1;
                    _bar.Description = supervised
                        ? string.Create(Inv, $"step {s.Step + 1}/{totalSteps} loss {s.Loss:0.000}")
                        : string.Create(Inv, $"step {s.Step + 1}/{totalSteps} reward {s.RewardMean:0.00}");
                }
                break;
            case EvalReport e:
                Write(string.Create(Inv, $"eval after step {e.Step}: held-out accuracy {e.Accuracy:P1} ({e.Correct}/{e.Problems}), {e.Seconds:0.0} s{(e.ReissuedShards > 0 ? $", {e.ReissuedShards} shard(s) re-issued" : "")}"));
                break;
            case SamplersChanged c:
                Write(c.Message);
                break;
            case TrainingWarning w:
                Write($"warning: {w.Message}");
                break;
            case NodeNote n:
                Write(n.Message);
                break;
        }
    }

    private static string Phases(StepReport s) =>
        string.Join(' ', s.PhaseSeconds.Where(kv => kv.Value >= 0.005).Select(kv => string.Create(Inv, $"{kv.Key} {kv.Value:0.00}s")));

    private string Eta(long done)
    {
        var elapsed = DateTime.UtcNow - _started;
        var doneHere = done - startStep;
        if (doneHere <= 0) return "-";
        var left = TimeSpan.FromSeconds(elapsed.TotalSeconds / doneHere * Math.Max(0, totalSteps - done));
        return left.ToString(left.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", Inv);
    }

    private void Write(string line)
    {
        if (_bar is not null) AnsiConsole.MarkupLine(Markup.Escape(line));
        else console.Out.WriteLine(line);
    }

    /// <summary>The before/after table at the end.</summary>
    public void Summary(TrainingFinished f, string runFolder, TrainingFinished? warmup = null, string trained = "RL")
    {
        console.Out.WriteLine();
        console.Out.WriteLine("                        held-out accuracy");
        if (warmup?.First is { } w) console.Out.WriteLine(string.Create(Inv, $"  before warm-up           {w.Accuracy,7:P1}  ({w.Correct}/{w.Problems})"));
        var label = warmup is null ? "before" : "after warm-up";
        if (f.First is not null) console.Out.WriteLine(string.Create(Inv, $"  {label,-13} (step {f.First.Step,3}) {f.First.Accuracy,7:P1}  ({f.First.Correct}/{f.First.Problems})"));
        if (f.Last is not null) console.Out.WriteLine(string.Create(Inv, $"  {"after " + trained,-13} (step {f.Last.Step,3}) {f.Last.Accuracy,7:P1}  ({f.Last.Correct}/{f.Last.Problems})"));
        console.Out.WriteLine(string.Create(Inv, $"  {f.Steps} steps, {f.Seconds:0.0} s this session. Run folder: {runFolder}"));
    }
}

/// <summary>A line about this cluster node (for example: the coordinator now runs here), printed among the step lines.</summary>
internal sealed record NodeNote(string Message);
