// dash eval: greedy pass@1 and sampled pass@k of a model directory on MATH-500, GSM8K or a JSONL file, with breakdowns.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Dash.Actors.Engines;
using Dash.Actors.Settings;
using Dash.Model.Checkpoints;
using Dash.Model.Runtime;
using Dash.Model.Sampling;
using Dash.Tasks;
using Dash.Tasks.Grading;
using TorchSharp;

namespace Dash.Host.Commands;

internal static class EvalCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var model = new Option<string>("--model", "-m") { Description = "A Hugging Face model directory (Qwen2/Llama), or a Dash checkpoint folder.", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "math500, gsm8k, math, arithmetic, or a JSONL file with question/answer fields.", DefaultValueFactory = _ => "math500" };
        var dataDir = new Option<string>("--data-dir") { Description = "Folder holding the named datasets.", DefaultValueFactory = _ => "data" };
        var limit = new Option<int>("--limit") { Description = "Evaluate only the first N problems (0 = all).", DefaultValueFactory = _ => 0 };
        var k = new Option<int>("--k") { Description = "Also sample k completions per problem for pass@k (0 = greedy only).", DefaultValueFactory = _ => 0 };
        var temperature = new Option<float>("--temperature") { Description = "Temperature of the pass@k samples.", DefaultValueFactory = _ => 0.6f };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens per completion.", DefaultValueFactory = _ => 512 };
        var batch = new Option<int>("--batch-size") { Description = "Completions per forward pass.", DefaultValueFactory = _ => 32 };
        var template = new Option<string>("--template") { Description = "raw, qwen-chat or few-shot.", DefaultValueFactory = _ => "raw" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string>("--dtype") { Description = "float32 or bfloat16 (weights, activations and KV cache).", DefaultValueFactory = _ => "float32" };
        var output = new Option<string?>("--output", "-o") { Description = "Write every completion and verdict to this JSONL file." };
        var seed = new Option<long>("--seed") { Description = "Seed of the pass@k samples.", DefaultValueFactory = _ => 1 };
        var command = new Command("eval", "Evaluate a model: greedy pass@1 and sampled pass@k, with per-level and per-subject breakdowns.\n" +
                                          "Example: dash eval --model ~/models/Qwen2.5-0.5B --data math500 --data-dir ../shared/data --limit 50");
        foreach (var o in new Option[] { model, data, dataDir, limit, k, temperature, maxNew, batch, template, device, dtype, output, seed }) command.Options.Add(o);
        command.SetAction(p =>
        {
            Cli.InitNative();
            var c = console(p);
            var dir = p.GetValue(model)!;
            var tokenizer = ModelCommands.Tokenizer(dir);
            var task = new TaskSettings(p.GetValue(data)!, p.GetValue(dataDir)!, [1, 2], p.GetValue(template)!, 4096);
            var source = TaskTrainingData.Load(task, p.GetValue(seed), int.MaxValue);
            var problems = source.HeldOut.Take(p.GetValue(limit) > 0 ? p.GetValue(limit) : int.MaxValue).ToArray();
            var prompts = new TaskTrainingData(source, tokenizer, TaskTrainingData.Template(task.Template, source), task.MaxPromptTokens);
            var torchDevice = DeviceSpec.Parse(p.GetValue(device)!, "--device").ToTorch("--device");
            using var lm = ModelDirectory.Load(dir, torchDevice, DtypeSpec.Parse(p.GetValue(dtype)!, "--dtype"));
            lm.eval();
            var sampler = new Sampler(lm);
            var ids = problems.Select(prompts.EncodePrompt).ToArray();
            var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = p.GetValue(maxNew), EosIds = tokenizer.EosIds, PadId = tokenizer.PadId };
            var greedyOut = sampler.SampleMany(ids, p.GetValue(batch), greedy, null);
            var kk = p.GetValue(k);
            var sampledOut = Array.Empty<Dash.Model.Sampling.SampledCompletion>();
            if (kk > 0)
            {
                using var generator = new torch.Generator((ulong)p.GetValue(seed));
                var expanded = ids.SelectMany(x => Enumerable.Repeat(x, kk)).ToArray();
                sampledOut = [.. sampler.SampleMany(expanded, p.GetValue(batch), greedy with { Temperature = p.GetValue(temperature) }, generator)];
            }
            var rows = new List<(Problem Problem, bool Greedy, int PassK)>();
            using var writer = p.GetValue(output) is { } file ? new StreamWriter(file) : null;
            for (var i = 0; i < problems.Length; i++)
            {
                var text = tokenizer.Decode(greedyOut[i].TokenIds);
                var verdict = AnswerVerifier.Verify(text, problems[i].GoldAnswer);
                var samples = Enumerable.Range(0, kk).Select(j => AnswerVerifier.Verify(tokenizer.Decode(sampledOut[i * kk + j].TokenIds), problems[i].GoldAnswer)).ToArray();
                rows.Add((problems[i], verdict.Correct, samples.Count(s => s.Correct)));
                writer?.WriteLine(new JsonObject
                {
                    ["id"] = problems[i].Id,
                    ["gold"] = problems[i].GoldAnswer,
                    ["completion"] = text,
                    ["extracted"] = verdict.Extracted,
                    ["correct"] = verdict.Correct,
                    ["reason"] = verdict.Reason,
                    ["sampled_correct"] = samples.Count(s => s.Correct),
                    ["k"] = kk,
                }.ToJsonString());
            }
            Print(c, rows, kk, problems.Length, p.GetValue(data)!);
            return 0;
        });
        return command;
    }

    private static void Print(Console2 c, List<(Problem Problem, bool Greedy, int PassK)> rows, int k, int n, string data)
    {
        var inv = CultureInfo.InvariantCulture;
        c.Out.WriteLine(string.Create(inv, $"{data}: {n} problems"));
        c.Out.WriteLine(string.Create(inv, $"  greedy pass@1   {rows.Count(r => r.Greedy) / (double)Math.Max(1, n):P1}"));
        if (k > 0)
        {
            c.Out.WriteLine(string.Create(inv, $"  sampled pass@1  {rows.Sum(r => r.PassK) / (double)Math.Max(1, n * k):P1}  (mean over {k} samples)"));
            c.Out.WriteLine(string.Create(inv, $"  pass@{k}         {rows.Count(r => r.PassK > 0) / (double)Math.Max(1, n):P1}"));
        }
        foreach (var (name, key) in new (string, Func<Problem, string?>)[] { ("level", r => r.Level), ("subject", r => r.Subject) })
        {
            var groups = rows.Where(r => key(r.Problem) is not null).GroupBy(r => key(r.Problem)!).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
            if (groups.Length < 2) continue;
            c.Out.WriteLine($"  by {name}:");
            foreach (var g in groups)
                c.Out.WriteLine(string.Create(inv, $"    {g.Key,-28} {g.Count(r => r.Greedy) / (double)g.Count(),7:P1}  ({g.Count(r => r.Greedy)}/{g.Count()})"));
        }
    }
}
