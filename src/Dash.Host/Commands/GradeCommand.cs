// dash grade: the training reward's verdict (or the lenient evaluation's) for a gold answer and a completion, as JSON.
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dash.Actors.Engines;
using Dash.Actors.Settings;
using Dash.Tasks.Grading;

namespace Dash.Host.Commands;

internal static class GradeCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var gold = new Option<string>("--gold") { Description = "The reference answer, e.g. \"\\frac{1}{2}\".", Required = true };
        var predicted = new Option<string>("--predicted")
        {
            Description = "The model's whole completion; the answer is read as the training reward reads it (the task's format: last \\boxed{}, for gsm8k also #### N).",
            Required = true,
        };
        var task = new Option<string?>("--task") { Description = "Whose answer format to grade with: arithmetic, math, math500, gsm8k or a JSONL path (default: dash.task.name)." };
        var lenient = new Option<bool>("--lenient") { Description = "Read the answer with every rule (answer phrases, math segments, last number), as dash eval --lenient does." };
        var command = new Command("grade", "Grade a completion against a gold answer as the training reward does (--lenient: every answer rule); prints JSON.\n" +
                                           "Example: dash grade --gold \"\\frac{1}{2}\" --predicted \"so the answer is \\boxed{0.5}\"");
        command.Options.Add(gold);
        command.Options.Add(predicted);
        command.Options.Add(task);
        command.Options.Add(lenient);
        command.SetAction(p =>
        {
            var settings = ConfigLoader.Load().Settings;
            var options = VerifierScorer.RewardOptions(settings, p.GetValue(task) ?? settings.Task.Name);
            if (p.GetValue(lenient)) options = options with { Extraction = AnswerFormats.Lenient };
            var verdict = new VerifierScorer(options).Judge(p.GetValue(gold)!, p.GetValue(predicted)!);
            var json = new JsonObject
            {
                ["correct"] = verdict.Correct,
                ["reward"] = AnswerVerifier.Reward(verdict, options),
                ["extracted"] = verdict.Extracted,
                ["rule"] = verdict.Rule.ToString(),
                ["reason"] = verdict.Reason,
                ["budget_exhausted"] = verdict.BudgetExhausted,
                ["elapsed_ms"] = Math.Round(verdict.Elapsed.TotalMilliseconds, 3),
            };
            console(p).Out.WriteLine(json.ToJsonString(Json.Indented));
            return 0;
        });
        return command;
    }
}

internal static class Json
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
