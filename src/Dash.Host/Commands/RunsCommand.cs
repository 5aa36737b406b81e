// dash runs list | show <id>: what every run in the runs folder has durably done, read from its whole journal.
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
        var list = new Command("list", "List runs: state, committed steps, last checkpoint, best held-out accuracy.\nExample: dash runs list");
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
            c.Out.WriteLine($"{"run",-28} {"state",-9} {"steps",6} {"last checkpoint",-16} {"best acc",9} {"started (UTC)",-20}");
            foreach (var run in runs)
            {
                // One damaged or unreachable run is reported as such; it never hides the others.
                var (state, unknown) = Read(run);
                if (state is null)
                {
                    var why = unknown ?? $"`dash runs show {run.Id}` says why";
                    c.Out.WriteLine($"{run.Id,-28} {(unknown is null ? "damaged" : "unknown"),-9} {"-",6} {"-",-16} {"-",9} {"-",-20}  ({why})");
                    continue;
                }
                // The accuracy of the checkpoint `runs show` names as best (the step-0 evaluation is no checkpoint of this run).
                var best = state.BestEval is { } b ? $"{(double)b.Correct / Math.Max(1, b.Problems):P1}" : "-";
                c.Out.WriteLine($"{run.Id,-28} {StateOf(run, state),-9} {state.Steps.Count,6} " +
                                $"{state.LastCheckpoint?.Checkpoint ?? "-",-16} {best,9} {state.Started?.At.ToString("yyyy-MM-dd HH:mm:ss") ?? "-",-20}");
            }
            return 0;
        });

        var id = new Argument<string>("run-id") { Description = "The run's id (its folder name under the runs folder)." };
        var show = new Command("show", "Show one run: state, configuration hash, seed, code version, checkpoints, every committed step and evaluation.\n" +
                                       "Example: dash runs show dash-s1");
        show.Arguments.Add(id);
        show.Options.Add(runsDir);
        show.SetAction(p =>
        {
            var run = new RunFolder(Path.Combine(p.GetValue(runsDir)!, p.GetValue(id)!));
            if (!run.Exists)
                throw new UserException($"no run '{run.Id}' in {Path.GetFullPath(p.GetValue(runsDir)!)} (no {run.Journal}). `dash runs list` shows the runs.");
            RunState state;
            try
            {
                state = run.History().State;
            }
            catch (JournalDamagedException e)
            {
                throw new UserException($"run {run.Id} is damaged: {e.Message}", e);
            }
            Show(console(p).Out, run, state);
            return 0;
        });

        var command = new Command("runs", "Inspect runs recorded under the runs folder.");
        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        return command;
    }

    /// <summary>The run's state; null with a reason when its journal cannot be reached (not configured here, or a
    /// PostgreSQL server that does not answer), null without one when the journal is damaged.</summary>
    private static (RunState? State, string? Unknown) Read(RunFolder run)
    {
        try
        {
            return (run.History().State, null);
        }
        catch (Dash.Actors.Settings.SettingsException e)
        {
            return (null, e.Message.TrimEnd('.'));
        }
        catch (JournalDamagedException e) when (e.InnerException is Npgsql.NpgsqlException { IsTransient: true })
        {
            return (null, $"its PostgreSQL journal does not answer: {e.InnerException.Message.TrimEnd('.')}");
        }
        catch (Exception e) when (e is JournalDamagedException or InvalidOperationException or IOException)
        {
            return (null, null);
        }
    }

    /// <summary>running (another process holds the run's lock), finished, or paused (resumable with the same command).</summary>
    private static string StateOf(RunFolder run, RunState state) =>
        RunLock.Holder(run) is not null ? "running" : state.Finished ? "finished" : "paused";

    private static void Show(TextWriter o, RunFolder run, RunState state)
    {
        var holder = RunLock.Holder(run);
        var status = holder is not null ? $"running ({holder})" : state.Finished ? "finished" : "paused (run the same command to resume)";
        o.WriteLine($"run {run.Id}: {status}");
        o.WriteLine($"  {Count(state.Steps.Count, "committed step")}, {Count(state.Evals.Count, "evaluation")}, last checkpoint {state.LastCheckpoint?.Checkpoint ?? "-"}");
        if (state.Started is { } s)
            o.WriteLine($"  config sha256 {s.ConfigHash[..12]}, seed {s.Seed}, code {s.CodeVersion}, started {s.At:yyyy-MM-dd HH:mm:ss} UTC");
        var best = state.Best;
        var bestEval = state.BestEval;
        o.WriteLine(best is null || bestEval is null
            ? "  best checkpoint: - (no evaluation after a step yet)"
            : $"  best checkpoint: {best.Checkpoint} (held-out {(double)bestEval.Correct / Math.Max(1, bestEval.Problems):P1} after step {bestEval.Step})");
        var onDisk = Directory.Exists(run.Checkpoints)
            ? Directory.GetDirectories(run.Checkpoints, "step-*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()
            : [];
        o.WriteLine($"  checkpoints on disk: {(onDisk.Length == 0 ? "none" : string.Join(", ", onDisk))}");
        // Supervised runs (the warm-up, the SFT baseline) learn from reference solutions: no reward, nothing filtered.
        var sft = state.Started is { ConfigText.Length: > 0 } started
                  && Output.RunData.IsSft(Akka.Configuration.ConfigurationFactory.ParseString(started.ConfigText));
        o.WriteLine(sft
            ? $"{"step",5} {"loss",7} {"samples",9} {"tokens/s",9} {"seconds",8}  checkpoint"
            : $"{"step",5} {"reward",7} {"train acc",9} {"kept",5} {"dropped",7} {"tokens/s",9} {"seconds",8}  checkpoint");
        foreach (var step in state.Steps)
        {
            var r = JsonSerializer.Deserialize<StepReport>(step.ReportJson)!;
            var tps = r.Seconds > 0 ? (sft ? r.LearnedTokens : r.SampledTokens) / r.Seconds : 0;
            var checkpoint = step.Checkpoint.Length == 0 ? "- (not saved: dash.coordinator.checkpoint-every)"
                : onDisk.Contains(step.Checkpoint) ? step.Checkpoint : "(removed)";
            o.WriteLine(sft
                ? $"{r.Step + 1,5} {r.Loss,7:0.000} {r.Samples,9} {tps,9:0} {r.Seconds,8:0.00}  {checkpoint}"
                : $"{r.Step + 1,5} {r.RewardMean,7:0.000} {r.TrainAccuracy,9:P1} {r.Kept,5} {r.Dropped,7} {tps,9:0} {r.Seconds,8:0.00}  {checkpoint}");
        }
        foreach (var e in state.Evals)
            o.WriteLine($"eval after step {e.Step}: {e.Correct}/{e.Problems} = {(double)e.Correct / Math.Max(1, e.Problems):P1}");
    }

    /// <summary>"1 evaluation", "2 evaluations", "0 evaluations".</summary>
    internal static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
