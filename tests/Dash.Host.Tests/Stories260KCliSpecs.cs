// Specifies `dash generate` on the real stories260K checkpoint with a SentencePiece tokenizer.json: llama2.c's greedy ids.
using System.Text.Json.Nodes;
using Dash.Testing;

namespace Dash.Host.Tests;

public sealed class Stories260KCliSpecs
{
    private static JsonNode Reference(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Stories260KTokenizer.ModelDirectory, "reference_outputs.json")))!
            ["runs"]!.AsArray().Single(r => (string)r!["name"]! == name)!;

    [Fact]
    public void Should_reproduce_llama2c_greedy_ids_from_the_cli()
    {
        var run = Reference("greedy_prompt_once_upon_a_time_64");
        var ids = run["ids"]!.AsArray().Select(n => (int)n!).ToArray();
        var promptIds = run["prompt_ids"]!.AsArray().Select(n => (int)n!).ToArray();
        var dir = Directory.CreateTempSubdirectory("dash-sp-").FullName;
        try
        {
            Stories260KTokenizer.WriteModelFolder(dir);

            // llama2.c's steps = 64 positions after BOS: the prompt's 4 tokens and 60 new ones.
            var r = CliHarness.Run("generate", "--model", dir, "--prompt", (string)run["prompt"]!,
                "--max-new-tokens", $"{ids.Length - promptIds.Length}");

            Assert.True(r.ExitCode == 0, r.Err);
            var json = JsonNode.Parse(r.Out)!;
            Assert.Equal(promptIds, json["prompt_ids"]!.AsArray().Select(n => (int)n!));
            Assert.Equal(ids[promptIds.Length..], json["completion_ids"]!.AsArray().Select(n => (int)n!));
            Assert.Equal((string)run["text"]!, (string)run["prompt"]! + (string)json["text"]!);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_evaluate_a_chat_run_from_its_checkpoint_when_the_template_lives_in_chat_template_jinja()
    {
        var dir = Directory.CreateTempSubdirectory("dash-jinja-").FullName;
        try
        {
            // Transformers' current layout: the chat template in chat_template.jinja, the stop ids in generation_config.json.
            var model = Directory.CreateDirectory(Path.Combine(dir, "model")).FullName;
            Stories260KTokenizer.WriteModelFolder(model);
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "tokenizer_config.json")))!.AsObject();
            config.Remove("chat_template");
            File.WriteAllText(Path.Combine(model, "tokenizer_config.json"), config.ToJsonString());
            File.WriteAllText(Path.Combine(model, "chat_template.jinja"), Stories260KTokenizer.LlamaChatTemplate);
            File.WriteAllText(Path.Combine(model, "generation_config.json"), """{"eos_token_id": [2]}""");
            var data = Path.Combine(dir, "sums.jsonl");
            File.WriteAllLines(data, Enumerable.Range(1, 40).Select(i => $"{{\"question\": \"What is {i}+{i}?\", \"answer\": \"{2 * i}\"}}"));
            var runs = Path.Combine(dir, "runs");

            var train = CliHarness.Run("train", "--runs-dir", runs, "--run-id", "chat", "--steps", "1", "--set", $"model.dir={model}",
                "--set", $"task.name={data}", "--set", "task.template=chat", "--set", "sampling.prompts-per-step=2", "--set", "sampling.batch-size=8",
                "--set", "sampling.max-new-tokens=4", "--set", "run.eval-problems=4", "--set", "run.eval-every=0");
            Assert.True(train.ExitCode == 0, train.Err);
            var checkpoint = Directory.GetDirectories(Path.Combine(runs, "chat", "checkpoints")).Single();
            var eval = CliHarness.Run("eval", "--model", checkpoint, "--config", Path.Combine(runs, "chat", "config.conf"), "--json");

            Assert.True(File.Exists(Path.Combine(checkpoint, "chat_template.jinja")));
            Assert.True(File.Exists(Path.Combine(checkpoint, "generation_config.json")));
            Assert.True(eval.ExitCode == 0, eval.Err);
            Assert.Equal(4, JsonNode.Parse(eval.Out)!["n"]!.GetValue<int>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_say_in_one_line_that_the_shared_folder_has_no_tokenizer_json()
    {
        var r = CliHarness.Run("generate", "--model", Stories260KTokenizer.ModelDirectory, "--prompt", "Once", "--max-new-tokens", "2");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("tokenizer.json", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
    }
}
