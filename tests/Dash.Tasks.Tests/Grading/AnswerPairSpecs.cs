// Acceptance: agreement with the 286 real (gold, predicted, expected) pairs from Math-Verify's and Hendrycks' test suites.
using System.Text.Json;
using Dash.Tasks.Grading;
using Dash.Testing;
using Xunit.Abstractions;

namespace Dash.Tasks.Tests.Grading;

public class AnswerPairSpecs(ITestOutputHelper output)
{
    private sealed record Pair(int Line, string Gold, string Predicted, bool Expected, string Source, VerifierOptions Options);

    [Fact]
    public void Should_agree_with_the_reference_graders_on_real_answer_pairs()
    {
        var pairs = Load(SharedData.File("grading/answer_equivalence_pairs.jsonl"));
        var results = pairs.Select(p => (Pair: p, Verdict: AnswerVerifier.VerifyTexts(p.Predicted, p.Gold, p.Options))).ToList();

        foreach (var group in results.GroupBy(r => r.Pair.Source).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var agree = group.Count(r => r.Verdict.Correct == r.Pair.Expected);
            output.WriteLine($"{group.Key}: {agree}/{group.Count()} agree ({100.0 * agree / group.Count():0.0} %)");
        }
        var total = results.Count(r => r.Verdict.Correct == r.Pair.Expected);
        var negatives = results.Where(r => !r.Pair.Expected).ToList();
        var falseEqual = negatives.Count(r => r.Verdict.Correct);
        output.WriteLine($"all: {total}/{results.Count} agree ({100.0 * total / results.Count:0.0} %); false \"equal\": {falseEqual} of {negatives.Count}");
        foreach (var (pair, verdict) in results.Where(r => r.Verdict.Correct != r.Pair.Expected))
            output.WriteLine($"  line {pair.Line} expected {pair.Expected}: {verdict.Reason}");

        Assert.Equal(286, results.Count);
        Assert.True(total >= 0.95 * results.Count, $"agreement {total}/{results.Count} is below 95 %");
        var hendrycks = results.Where(r => r.Pair.Source == "hendrycks/math").ToList();
        Assert.Equal(16, hendrycks.Count);
        Assert.All(hendrycks, r => Assert.Equal(r.Pair.Expected, r.Verdict.Correct));
        Assert.Equal(44, negatives.Count);
        Assert.Equal(0, falseEqual);
    }

    private static List<Pair> Load(string path)
    {
        var pairs = new List<Pair>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            pairs.Add(new Pair(
                line,
                root.GetProperty("gold").GetString()!,
                root.GetProperty("predicted").GetString()!,
                root.GetProperty("expected_equal").GetBoolean(),
                root.GetProperty("source").GetProperty("repo").GetString()!,
                OptionsFor(root)));
        }
        return pairs;
    }

    // A pair that asks Math-Verify for match_types ["latex"] only is graded with LaTeX-only extraction (no bare numbers);
    // one that passes Math-Verify a precision is graded with the same opt-in precision.
    private static VerifierOptions OptionsFor(JsonElement root)
    {
        var options = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2) };
        if (root.TryGetProperty("call_args", out var call) && call.TryGetProperty("precision", out var precision))
            options = options with { PredictionPrecision = precision.GetInt32() };
        if (root.TryGetProperty("call_args", out var args) && args.TryGetProperty("match_types", out var types)
            && types.EnumerateArray().All(t => t.GetString() != "expr"))
            return options with { Extraction = ExtractionOptions.LatexOnly };
        return options;
    }
}
