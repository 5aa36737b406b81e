// What dash eval prints and writes: a header with set, N and protocol, accuracies and breakdowns, JSON and JSONL.
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dash.Actors.Engines;
using Dash.Actors.Settings;
using Dash.Tasks;
using Dash.Tasks.Data;

namespace Dash.Host.Output;

/// <summary>How an evaluation sampled and graded: greedy pass@1, and with K &gt; 0 sampled pass@K.</summary>
internal sealed record EvalProtocol(int K, SamplerSettings Sampling, long Seed, string Template, string AnswerRule, string RuleSource)
{
    public string Greedy => $"greedy pass@1, max {Sampling.MaxNewTokens} new tokens, prompt template {Template}, batch {Sampling.BatchSize}";

    public string Sampled => string.Create(CultureInfo.InvariantCulture,
        $"sampled pass@{K}: {K} samples per problem, temperature {Sampling.Temperature}, top-p {Sampling.TopP}, top-k {Sampling.TopK}, seed {Seed}, max {Sampling.MaxNewTokens} new tokens");

    public string Answer => $"answer read from: {AnswerRule} ({RuleSource})";
}

internal sealed class EvalOutput(EvalSet set, EvalProtocol protocol, IReadOnlyList<EvalRow> rows)
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    private int N => rows.Count;

    private int GreedyCorrect => rows.Count(r => r.Verdict.Correct);

    private static double Rate(int hits, int total) => total == 0 ? 0 : hits / (double)total;

    public void Print(TextWriter w, string model)
    {
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine($"{set.Name}: {N} problems ({set.Source})");
        w.WriteLine($"  model: {model}");
        w.WriteLine($"  protocol: {protocol.Greedy}");
        if (protocol.K > 0) w.WriteLine($"            {protocol.Sampled}");
        w.WriteLine($"  {protocol.Answer}");
        w.WriteLine(string.Create(inv, $"  greedy pass@1   {Rate(GreedyCorrect, N),7:P1}  ({GreedyCorrect}/{N})"));
        if (protocol.K > 0)
        {
            var samples = rows.Sum(r => r.SampledCorrect);
            var any = rows.Count(r => r.SampledCorrect > 0);
            w.WriteLine(string.Create(inv, $"  sampled pass@1  {Rate(samples, N * protocol.K),7:P1}  (mean over {protocol.K} samples)"));
            w.WriteLine(string.Create(inv, $"  pass@{protocol.K,-10} {Rate(any, N),7:P1}  ({any}/{N})"));
        }
        foreach (var (name, groups) in Breakdowns())
        {
            w.WriteLine($"  by {name}:");
            foreach (var (key, hits, total) in groups)
                w.WriteLine(string.Create(inv, $"    {key,-28} {Rate(hits, total),7:P1}  ({hits}/{total})"));
        }
    }

    public string SummaryJson(string model)
    {
        var summary = new JsonObject
        {
            ["set"] = set.Name,
            ["source"] = set.Source,
            ["n"] = N,
            ["model"] = model,
            ["protocol"] = new JsonObject
            {
                ["greedy"] = "pass@1",
                ["max_new_tokens"] = protocol.Sampling.MaxNewTokens,
                ["batch_size"] = protocol.Sampling.BatchSize,
                ["template"] = protocol.Template,
                ["answer_rule"] = protocol.AnswerRule,
                ["k"] = protocol.K,
                ["temperature"] = protocol.K > 0 ? protocol.Sampling.Temperature : null,
                ["top_p"] = protocol.K > 0 ? protocol.Sampling.TopP : null,
                ["top_k"] = protocol.K > 0 ? protocol.Sampling.TopK : null,
                ["seed"] = protocol.K > 0 ? protocol.Seed : null,
            },
            ["greedy_correct"] = GreedyCorrect,
            ["greedy_pass1"] = Rate(GreedyCorrect, N),
        };
        if (protocol.K > 0)
        {
            summary["sampled_pass1"] = Rate(rows.Sum(r => r.SampledCorrect), N * protocol.K);
            summary[$"pass{protocol.K}"] = Rate(rows.Count(r => r.SampledCorrect > 0), N);
        }
        foreach (var (name, groups) in Breakdowns())
        {
            var by = new JsonObject();
            foreach (var (key, hits, total) in groups) by[key] = new JsonObject { ["correct"] = hits, ["n"] = total, ["greedy_pass1"] = Rate(hits, total) };
            summary[$"by_{name}"] = by;
        }
        return summary.ToJsonString(Indented);
    }

    /// <summary>One line per problem, in order, as readable UTF-8 (no \u escapes for +, &lt; or non-ASCII text).</summary>
    public void WriteJsonl(string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            writer.WriteLine(new JsonObject
            {
                ["set"] = set.Name,
                ["index"] = i,
                ["n"] = N,
                ["id"] = r.Problem.Id,
                ["level"] = r.Problem.Level,
                ["subject"] = r.Problem.Subject,
                ["question"] = r.Problem.Question,
                ["gold"] = r.Problem.GoldAnswer,
                ["completion"] = r.Completion,
                ["extracted"] = r.Verdict.Extracted,
                ["rule"] = r.Verdict.Rule.ToString(),
                ["verdict"] = r.Verdict.Correct ? "correct" : "wrong",
                ["correct"] = r.Verdict.Correct,
                ["reason"] = r.Verdict.Reason,
                ["sampled_correct"] = r.SampledCorrect,
                ["k"] = r.K,
            }.ToJsonString(Compact));
        }
    }

    private IEnumerable<(string Name, (string Key, int Hits, int Total)[] Groups)> Breakdowns()
    {
        foreach (var (name, key) in new (string, Func<Problem, string?>)[] { ("level", p => p.Level), ("subject", p => p.Subject) })
        {
            var groups = rows.Where(r => key(r.Problem) is not null).GroupBy(r => key(r.Problem)!).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Count(r => r.Verdict.Correct), g.Count())).ToArray();
            if (groups.Length >= 2) yield return (name, groups);
        }
    }
}
