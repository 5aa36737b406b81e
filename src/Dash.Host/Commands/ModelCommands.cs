// dash tokenize / dash generate: a model directory's tokenizer and sampler from the command line.
using System.CommandLine;
using System.Text.Json.Nodes;
using Dash.Model.Checkpoints;
using Dash.Model.Runtime;
using Dash.Model.Sampling;
using Dash.Model.Tokenizers;
using TorchSharp;

namespace Dash.Host.Commands;

internal static class ModelCommands
{
    private static Option<string> ModelOption() => new("--model", "-m")
    {
        Description = "A model directory: Hugging Face config.json + *.safetensors + tokenizer.json (or Dash's dash_tokenizer.json).",
        Required = true,
    };

    public static ITextTokenizer Tokenizer(string dir) => TextTokenizers.Load(Existing(dir));

    private static string Existing(string dir) => Directory.Exists(dir) ? dir : throw new UserException($"--model {dir}: no such directory.");

    public static Command Tokenize(Func<ParseResult, Console2> console)
    {
        var model = ModelOption();
        var text = new Option<string>("--text", "-t") { Description = "The text to tokenize.", Required = true };
        var command = new Command("tokenize", "Print the token ids of a text with a model directory's tokenizer, as JSON.\n" +
                                              "Example: dash tokenize --model ~/models/Qwen2.5-0.5B --text \"What is 1+1?\"");
        command.Options.Add(model);
        command.Options.Add(text);
        command.SetAction(p =>
        {
            var tokenizer = Tokenizer(p.GetValue(model)!);
            var ids = tokenizer.Encode(p.GetValue(text)!);
            var json = new JsonObject
            {
                ["ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]),
                ["count"] = ids.Length,
                ["decoded"] = tokenizer.Decode(ids),
            };
            console(p).Out.WriteLine(json.ToJsonString(Json.Indented));
            return 0;
        });
        return command;
    }

    public static Command Generate(Func<ParseResult, Console2> console)
    {
        var model = ModelOption();
        var prompt = new Option<string>("--prompt", "-p") { Description = "The prompt text.", Required = true };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 64 };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy (default); otherwise sampled.", DefaultValueFactory = _ => 0f };
        var topK = new Option<int>("--top-k") { Description = "Top-k when sampling (0 = off).", DefaultValueFactory = _ => 0 };
        var topP = new Option<float>("--top-p") { Description = "Top-p when sampling (1 = off).", DefaultValueFactory = _ => 1f };
        var seed = new Option<long>("--seed") { Description = "Seed of the sampling stream.", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string>("--dtype") { Description = "float32 or bfloat16 (weights, activations and KV cache).", DefaultValueFactory = _ => "float32" };
        var command = new Command("generate", "Complete a prompt with a model directory (greedy or sampled); prints the text, token ids and per-token log-probs as JSON.\n" +
                                              "Example: dash generate --model ~/models/Qwen2.5-0.5B --prompt \"1+1=\" --max-new-tokens 8");
        foreach (var o in new Option[] { model, prompt, maxNew, temperature, topK, topP, seed, device, dtype }) command.Options.Add(o);
        command.SetAction(p =>
        {
            Cli.InitNative();
            var dir = p.GetValue(model)!;
            var tokenizer = ModelDirectory.LoadTokenizer(Existing(dir)); // checked against the model's vocab_size
            var torchDevice = DeviceSpec.Parse(p.GetValue(device)!, "--device").ToTorch("--device");
            using var lm = ModelDirectory.Load(dir, torchDevice, DtypeSpec.Parse(p.GetValue(dtype)!, "--dtype"));
            lm.eval();
            var ids = tokenizer.Encode(p.GetValue(prompt)!);
            if (tokenizer.BosId is { } bos) ids = [bos, .. ids];
            var options = new SamplingOptions
            {
                Temperature = p.GetValue(temperature),
                TopK = p.GetValue(topK),
                TopP = p.GetValue(topP),
                MaxNewTokens = p.GetValue(maxNew),
                EosIds = tokenizer.EosIds,
                PadId = tokenizer.PadId,
            };
            using var generator = new torch.Generator((ulong)p.GetValue(seed));
            var result = new Sampler(lm).Sample([ids], options, generator)[0];
            var json = new JsonObject
            {
                ["prompt_ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]),
                ["completion_ids"] = new JsonArray([.. result.TokenIds.Select(i => (JsonNode)i)]),
                // Per completion token, the log-probability the sampler gave it (of the distribution it sampled from).
                ["log_probs"] = new JsonArray([.. result.LogProbs.Select(l => (JsonNode)Math.Round(l, 6))]),
                ["text"] = tokenizer.Decode(result.TokenIds),
                ["finish_reason"] = result.FinishReason.ToString().ToLowerInvariant(),
            };
            console(p).Out.WriteLine(json.ToJsonString(Json.Indented));
            return 0;
        });
        return command;
    }
}
