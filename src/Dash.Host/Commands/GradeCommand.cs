// dash grade: the verifier's verdict for a gold answer and a predicted answer or completion, as JSON.
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dash.Tasks.Grading;

namespace Dash.Host.Commands;

internal static class GradeCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var gold = new Option<string>("--gold") { Description = "The reference answer, e.g. \"\\frac{1}{2}\".", Required = true };
        var predicted = new Option<string>("--predicted")
        {
            Description = "The model's answer or whole completion (the answer is extracted: last \\boxed{}, #### N, \"The answer is\", last number).",
            Required = true,
        };
        var command = new Command("grade", "Grade a predicted answer against a gold answer with Dash's verifier; prints JSON.\n" +
                                           "Example: dash grade --gold \"\\frac{1}{2}\" --predicted \"so the answer is \\boxed{0.5}\"");
        command.Options.Add(gold);
        command.Options.Add(predicted);
        command.SetAction(p =>
        {
            var verdict = AnswerVerifier.Verify(p.GetValue(predicted)!, p.GetValue(gold)!);
            var json = new JsonObject
            {
                ["correct"] = verdict.Correct,
                ["reward"] = AnswerVerifier.Reward(verdict),
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
