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
    public void Should_say_in_one_line_that_the_shared_folder_has_no_tokenizer_json()
    {
        var r = CliHarness.Run("generate", "--model", Stories260KTokenizer.ModelDirectory, "--prompt", "Once", "--max-new-tokens", "2");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("tokenizer.json", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
    }
}
