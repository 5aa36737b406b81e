// Seeded sampling scenarios whose outputs were recorded with the sampler before the lean decode loop, so the
// equivalence specs compare today's sampler with that one (`dotnet Dash.Model.Tests.dll record-sampler FILE`).
using System.Text.Json;
using Dash.Model.Sampling;
using Dash.Model.Tests.Transformer;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Sampling;

/// <summary>One scenario: a model, G copies of each prompt in a row (as the engines send them), options, chunk size, seed.</summary>
public sealed record SamplingScenario(string Name, Func<CausalLM> Model, int[][] Prompts, int GroupSize, SamplingOptions Options, int BatchSize, ulong Seed)
{
    /// <summary>The prompt list the sampler sees: each prompt repeated <see cref="GroupSize"/> times in a row.</summary>
    public IReadOnlyList<int[]> Expanded => [.. Prompts.SelectMany(p => Enumerable.Repeat(p, GroupSize))];
}

/// <summary>The recorded result of one completion: token ids, log-probs and finish reason.</summary>
public sealed record RecordedCompletion(int[] TokenIds, float[] LogProbs, string FinishReason);

public static class SamplerRecording
{
    public const string FileName = "Sampling/Recorded/sampler-before-lean-loop.json";

    private static readonly int[][] TinyPrompts = [[1, 5, 6], [1], [1, 7, 8, 9, 10, 11, 12], [1, 13, 14]];
    private static readonly int[][] StoryPrompts = [[1, 403, 407, 261, 378], [1], [1, 403, 407]];

    public static IReadOnlyList<SamplingScenario> Scenarios { get; } =
    [
        new("tiny-llama groups of 4, top-k + top-p, eos, chunks of 6", () => TinyModels.Create(5), TinyPrompts, 4,
            new SamplingOptions { Temperature = 0.9f, TopK = 20, TopP = 0.95f, MaxNewTokens = 24, EosIds = [2] }, 6, 11),
        new("tiny-qwen2 untied, groups of 3, plain multinomial, eos + stop", () => TinyModels.Create(8, qwen2: true, tied: false), TinyPrompts, 3,
            new SamplingOptions { Temperature = 1.0f, MaxNewTokens = 20, EosIds = [2], StopIds = [3] }, 12, 12),
        new("tiny-llama one prompt, group of 8, whole batch", () => TinyModels.Create(9), [[1, 20, 21, 22]], 8,
            new SamplingOptions { Temperature = 1.2f, TopK = 10, MaxNewTokens = 16, EosIds = [2] }, 8, 13),
        new("stories260K groups of 3, temperature 0.8, eos", Stories260K.Load, StoryPrompts, 3,
            new SamplingOptions { Temperature = 0.8f, MaxNewTokens = 30, EosIds = [2, 410] }, 9, 14),
        new("stories260K greedy groups of 2", Stories260K.Load, StoryPrompts, 2,
            new SamplingOptions { Temperature = 0, MaxNewTokens = 25 }, 4, 15),
    ];

    /// <summary>Runs one scenario with a fresh seeded generator through <paramref name="sampler"/>.</summary>
    public static IReadOnlyList<RecordedCompletion> Run(SamplingScenario scenario, Func<CausalLM, Sampler> sampler)
    {
        using var model = scenario.Model();
        using var generator = new Generator(scenario.Seed);
        var results = sampler(model).SampleMany(scenario.Expanded, scenario.BatchSize, scenario.Options, generator);
        return [.. results.Select(r => new RecordedCompletion(r.TokenIds, r.LogProbs, r.FinishReason.ToString()))];
    }

    /// <summary>Writes every scenario's results (scenario name → completions) as JSON.</summary>
    public static void Record(string path)
    {
        var all = Scenarios.ToDictionary(s => s.Name, s => Run(s, m => new Sampler(m)));
        File.WriteAllText(path, JsonSerializer.Serialize(all));
    }

    /// <summary>The recorded results, scenario name → completions.</summary>
    public static IReadOnlyDictionary<string, RecordedCompletion[]> Load() =>
        JsonSerializer.Deserialize<Dictionary<string, RecordedCompletion[]>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, FileName)))!;
}
