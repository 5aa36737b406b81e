// dash train / dash sft: resolve the configuration and run folder, then hand over to the training session.
using System.CommandLine;
using Dash.Host.Training;

namespace Dash.Host.Commands;

internal static class TrainCommand
{
    public static Command Create(Func<ParseResult, Console2> console, string name, string description, string? algorithm = null)
    {
        var options = new ConfigOptions();
        var runId = new Option<string?>("--run-id") { Description = "Run id (folder under the runs folder). Running the same id again resumes it." };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (same as --set model.device=...)." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (same as --set run.steps=N)." };
        var runsDir = new Option<string?>("--runs-dir") { Description = "Folder for runs (same as --set run.runs-dir=...)." };
        var allow = new Option<bool>("--allow-config-change") { Description = "Resume a run even though its configuration changed." };
        var command = new Command(name, description + "\n\nExamples:\n  dash " + name + "\n  dash " + name +
                                        " --algorithm grpo --steps 20 --run-id grpo-baseline\n  dash " + name + " --set sampling.group-size=8 --set advantage.filter-tau=-1");
        options.AddTo(command);
        foreach (var o in new Option[] { runId, device, steps, runsDir, allow }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var extra = new List<string>();
            if (p.GetValue(device) is { } d) extra.Add($"model.device={d}");
            if (p.GetValue(steps) is { } n) extra.Add($"run.steps={n}");
            if (p.GetValue(runsDir) is { } r) extra.Add($"run.runs-dir={r}");
            if (p.GetValue(runId) is { } id) extra.Add($"run.id={id}");
            var effective = options.Load(p, extra, algorithm);
            return TrainingSession.Run(effective, console(p), p.GetValue(allow));
        });
        return command;
    }
}
