// dash runs list | show <id>: what every run in the runs folder has durably done, read from its journal.
using System.CommandLine;
using System.Text.Json;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;

namespace Dash.Host.Commands;

internal static class RunsCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder holding the runs.", DefaultValueFactory = _ => "runs" };
        var list = new Command("list", "List runs: status, committed steps, last checkpoint, best held-out accuracy.\nExample: dash runs list");
        list.Options.Add(runsDir);
        list.SetAction(p =>
        {
            var c = console(p);
            var dir = p.GetValue(runsDir)!;
            var runs = Directory.Exists(dir)
                ? Directory.GetDirectories(dir).Select(d => new RunFolder(d)).Where(r => r.Exists).OrderBy(r => r.Id, StringComparer.Ordinal).ToArray()
                : [];
            if (runs.Length == 0)
            {
                c.Out.WriteLine($"No runs in {Path.GetFullPath(dir)}. Start one with `dash train`.");
                return 0;
            }
            c.Out.WriteLine($"{"run",-28} {"status",-11} {"steps",6} {"last checkpoint",-16} {"best acc",9} {"started (UTC)",-20}");
            foreach (var run in runs)
            {
                var state = Fold(run.ReadEvents());
                var best = state.Evals.Count == 0 ? "-" : $"{state.Evals.Max(e => (double)e.Correct / Math.Max(1, e.Problems)):P1}";
                c.Out.WriteLine($"{run.Id,-28} {(state.Finished ? "finished" : "resumable"),-11} {state.Steps.Count,6} " +
                                $"{state.Last?.Checkpoint ?? "-",-16} {best,9} {state.Started?.At.ToString("yyyy-MM-dd HH:mm:ss") ?? "-",-20}");
            }
            return 0;
        });

        var id = new Argument<string>("run-id") { Description = "The run's id (its folder name under the runs folder)." };
        var show = new Command("show", "Show one run: its configuration hash, every committed step and evaluation.\nExample: dash runs show dash-s1");
        show.Arguments.Add(id);
        show.Options.Add(runsDir);
        show.SetAction(p =>
        {
            var c = console(p);
            var run = new RunFolder(Path.Combine(p.GetValue(runsDir)!, p.GetValue(id)!));
            if (!run.Exists)
                throw new UserException($"no run '{run.Id}' in {Path.GetFullPath(p.GetValue(runsDir)!)} (no {run.Journal}). `dash runs list` shows the runs.");
            var state = Fold(run.ReadEvents());
            c.Out.WriteLine($"run {run.Id}: {(state.Finished ? "finished" : "resumable")}, {state.Steps.Count} committed steps, " +
                            $"config sha256 {state.Started?.ConfigHash[..12] ?? "-"}, seed {state.Started?.Seed}, code {state.Started?.CodeVersion}");
            c.Out.WriteLine($"{"step",5} {"reward",7} {"train acc",9} {"kept",5} {"dropped",7} {"tokens/s",9} {"seconds",8}  checkpoint");
            foreach (var step in state.Steps)
            {
                var r = JsonSerializer.Deserialize<StepReport>(step.ReportJson)!;
                var tps = r.Seconds > 0 ? r.SampledTokens / r.Seconds : 0;
                c.Out.WriteLine($"{r.Step,5} {r.RewardMean,7:0.000} {r.TrainAccuracy,9:P1} {r.Kept,5} {r.Dropped,7} {tps,9:0} {r.Seconds,8:0.00}  {step.Checkpoint}");
            }
            foreach (var e in state.Evals)
                c.Out.WriteLine($"eval after {e.Step} steps: {e.Correct}/{e.Problems} = {(double)e.Correct / Math.Max(1, e.Problems):P1}");
            return 0;
        });

        var command = new Command("runs", "Inspect runs recorded under the runs folder.");
        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        return command;
    }

    private static RunState Fold(IEnumerable<IRunEvent> events) => events.Aggregate(RunState.Empty, (s, e) => s.Apply(e));
}
