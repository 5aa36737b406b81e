// Acceptance: the verifier agrees with MATH-500's own answers and with GSM8K's "#### N" in several spellings.
using System.Globalization;
using Dash.Tasks.Data;
using Dash.Tasks.Grading;
using Dash.Testing;
using Xunit.Abstractions;

namespace Dash.Tasks.Tests.Grading;

public class GoldAgreementSpecs(ITestOutputHelper output)
{
    // Correctness is under test here, not speed: a loaded CI machine must not turn a slow row into a disagreement.
    private static readonly VerifierOptions Options = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2) };

    [Fact]
    public void Should_judge_the_last_box_of_each_MATH500_solution_equal_to_its_answer()
    {
        var problems = Datasets.LoadMath500(SharedData.File("math500/test.jsonl")).Problems;
        var boxedOnly = Options with { Extraction = ExtractionOptions.BoxedOnly };

        var disagreements = problems
            .Select(p => (p, Verdict: AnswerVerifier.Verify(p.Solution!, p.GoldAnswer, boxedOnly)))
            .Where(x => !x.Verdict.Correct)
            .ToList();

        output.WriteLine($"MATH-500: {problems.Count - disagreements.Count} of {problems.Count} rows agree");
        foreach (var (p, v) in disagreements) output.WriteLine($"  exception {p.Id}: answer {p.GoldAnswer} | {v.Reason}");
        Assert.Equal(500, problems.Count);
        Assert.True(disagreements.Count <= 1, $"{disagreements.Count} rows disagree");
    }

    [Fact]
    public void Should_accept_every_MATH500_answer_in_other_spellings_and_wrappings()
    {
        var problems = Datasets.LoadMath500(SharedData.File("math500/test.jsonl")).Problems;
        static IEnumerable<string> Variants(string a) =>
        [
            $"The final answer is $\\boxed{{{a}}}$.",
            $"Therefore $${a}$$",
            $"\\boxed{{ {a} }}",
            a,
            a.Replace("\\frac", "\\dfrac", StringComparison.Ordinal),
            a.Replace("(", "\\left(", StringComparison.Ordinal).Replace(")", "\\right)", StringComparison.Ordinal),
        ];

        var failures = problems
            .SelectMany(p => Variants(p.GoldAnswer).Select(v => (p.GoldAnswer, Variant: v, Verdict: AnswerVerifier.Verify(v, p.GoldAnswer, Options))))
            .Where(x => !x.Verdict.Correct)
            .ToList();

        foreach (var (gold, variant, verdict) in failures) output.WriteLine($"{variant} vs {gold}: {verdict.Reason}");
        Assert.Empty(failures);
    }

    [Fact]
    public void Should_extract_every_GSM8K_answer_and_accept_its_other_spellings()
    {
        var path = SharedData.File("gsm8k/test.jsonl");
        var problems = Datasets.LoadGsm8k(path).Problems;
        var failures = new List<string>();

        foreach (var p in problems)
        {
            var fromSolution = AnswerVerifier.Verify(p.Solution!, p.GoldAnswer, Options);
            if (!fromSolution.Correct || fromSolution.Rule != ExtractionRule.Gsm8kHashes) failures.Add($"{p.Id}: #### not extracted ({fromSolution.Reason})");
            foreach (var spelling in Spellings(p.GoldAnswer))
            {
                var v = AnswerVerifier.Verify(spelling, p.GoldAnswer, Options);
                if (!v.Correct) failures.Add($"{p.Id}: {spelling} vs {p.GoldAnswer}: {v.Reason}");
            }
        }

        output.WriteLine($"GSM8K test: {problems.Count} answers, {failures.Count} failures");
        foreach (var f in failures.Take(20)) output.WriteLine("  " + f);
        Assert.Equal(1319, problems.Count);
        Assert.Empty(failures);
    }

    private static IEnumerable<string> Spellings(string n)
    {
        yield return $"\\boxed{{{n}}}";
        yield return $"\\boxed{{{n}.0}}";
        yield return $"{n}.0";
        if (long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && Math.Abs(value) >= 1000)
        {
            yield return value.ToString("N0", CultureInfo.InvariantCulture);
            yield return $"\\boxed{{{value.ToString("N0", CultureInfo.InvariantCulture)}}}";
        }
    }
}
