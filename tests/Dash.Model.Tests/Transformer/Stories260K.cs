// The real pretrained stories260K Llama and what llama2.c computed with it (shared/data/models/stories260K).
using System.Text.Json.Nodes;
using Dash.Model.Checkpoints;
using Dash.Model.Transformer;
using Dash.Testing;

namespace Dash.Model.Tests.Transformer;

/// <summary>One recorded llama2.c run: prompt ids, all ids (prompt + generated) and logits of the first positions.</summary>
public sealed record ReferenceRun(string Name, float Temperature, int[] PromptIds, int[] Ids, float[][] Logits);

public static class Stories260K
{
    public static string Directory => SharedData.File("models/stories260K");

    public static CausalLM Load() => ModelDirectory.Load(Directory);

    public static ReferenceRun Run(string name)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "reference_outputs.json")))!;
        var run = root["runs"]!.AsArray().Single(r => (string)r!["name"]! == name)!;
        return new ReferenceRun(
            name,
            (float)run["temperature"]!,
            [.. run["prompt_ids"]!.AsArray().Select(n => (int)n!)],
            [.. run["ids"]!.AsArray().Select(n => (int)n!)],
            [.. (run["logits"]?.AsArray() ?? []).Select(row => row!.AsArray().Select(v => (float)v!).ToArray())]);
    }
}
