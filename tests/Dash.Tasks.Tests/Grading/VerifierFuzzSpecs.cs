// Property test: thousands of random and hostile inputs never throw, never run past the budget, and say when it ran out.
using System.Diagnostics;
using System.Text;
using Dash.Tasks.Grading;
using Dash.Tasks.Sampling;
using Xunit.Abstractions;

namespace Dash.Tasks.Tests.Grading;

public class VerifierFuzzSpecs(ITestOutputHelper output)
{
    private static readonly string[] Tokens =
    [
        "\\frac", "{", "}", "\\sqrt", "[3]", "^", "_", "\\boxed{", "\\fbox", "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\left(",
        "\\right)", "(", ")", "[", "]", ",", ";", ":", "=", "<", "\\le", "\\ge", "\\pm", "\\cup", "\\in", "\\{", "\\}",
        "\\text{", "\\infty", "\\pi", "e", "i", "x", "y", "\\sin", "\\log_", "!", "+", "-", "*", "/", "\\cdot", "0", "1", "7",
        "10^{10^{10}}", "9999999999999999999", "0.5", ".25", "1,000", "\\%", "^\\circ", " ", "\n", "\\\\", "&",
        "\\begin{pmatrix}", "\\end{pmatrix}", "The answer is ", "#### ", "\\dfrac", "|", "\\lfloor", "\\rfloor", "\u00e9", "\u0000",
    ];

    private const string Corruptions = "{}$\\^_";

    private static readonly string[] Golds = ["5", "\\frac{1}{2}", "(1, 2)", "[0, 1)", "x^2+1", "\\{1, 2\\}", "x = 3", "\\sqrt{2}", "10^{10^{10}}"];

    [Fact]
    public void Should_never_throw_or_overrun_the_budget_on_random_and_hostile_input()
    {
        var options = VerifierOptions.Default;
        var limit = options.TimeBudget * 10;
        var rng = new SplitMix64(20251124);
        var inputs = Hostile().Concat(Enumerable.Range(0, 3000).Select(i => Random(ref rng, i))).ToList();
        var exhausted = 0;
        var slowest = new List<(TimeSpan Elapsed, string What)>();

        foreach (var input in inputs)
        {
            foreach (var (completion, gold) in new[] { (input, Golds[rng.NextInt(Golds.Length)]), (Golds[rng.NextInt(Golds.Length)], input) })
            {
                var watch = Stopwatch.StartNew();
                var verdict = AnswerVerifier.Verify(completion, gold, options);
                var elapsed = watch.Elapsed;
                slowest.Add((elapsed, $"{Describe(completion)} vs {Describe(gold)}: {verdict.Reason}"));
                if (verdict.BudgetExhausted) { exhausted++; Assert.False(verdict.Correct); }
                Assert.DoesNotContain("internal error", verdict.Reason, StringComparison.Ordinal);
                Assert.True(elapsed < limit, $"{elapsed.TotalMilliseconds:0} ms on input of {completion.Length}+{gold.Length} characters");
            }
        }

        output.WriteLine($"{2 * inputs.Count} verifications, {exhausted} ran out of budget; slowest:");
        foreach (var (elapsed, what) in slowest.OrderByDescending(s => s.Elapsed).Take(5))
            output.WriteLine($"  {elapsed.TotalMilliseconds:0.0} ms: {what}");
    }

    [Fact]
    public void Should_stay_within_budget_on_truncated_and_corrupted_real_solutions()
    {
        var problems = Dash.Tasks.Data.Datasets.LoadMath500(Dash.Testing.SharedData.File("math500/test.jsonl")).Problems;
        var rng = new SplitMix64(500);
        var limit = VerifierOptions.Default.TimeBudget * 10;
        var slowest = TimeSpan.Zero;

        foreach (var p in problems)
        {
            var text = p.Solution!;
            var truncated = text[..rng.NextInt(text.Length + 1)];
            var corrupted = new StringBuilder(text);
            for (var k = 0; k < 5 && corrupted.Length > 0; k++) corrupted[rng.NextInt(corrupted.Length)] = Corruptions[rng.NextInt(Corruptions.Length)];
            foreach (var completion in new[] { truncated, corrupted.ToString(), text + text[..(text.Length / 2)] })
            {
                var watch = Stopwatch.StartNew();
                var verdict = AnswerVerifier.Verify(completion, p.GoldAnswer);
                slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
                Assert.DoesNotContain("internal error", verdict.Reason, StringComparison.Ordinal);
                Assert.True(watch.Elapsed < limit, $"{watch.Elapsed.TotalMilliseconds:0} ms on {p.Id}");
            }
        }

        output.WriteLine($"{3 * problems.Count} corrupted solutions, slowest {slowest.TotalMilliseconds:0.0} ms");
    }

    [Fact]
    public void Should_report_budget_exhaustion_instead_of_hanging()
    {
        var numbers = Enumerable.Range(1, 250).ToList();
        var completion = "\\boxed{\\{" + string.Join(",", numbers) + "\\}}";
        var gold = "\\{" + string.Join(",", numbers.AsEnumerable().Reverse()) + "\\}";
        var tiny = VerifierOptions.Default with { TimeBudget = TimeSpan.FromMilliseconds(1) };
        var ample = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(20) };

        var watch = Stopwatch.StartNew();
        var stopped = AnswerVerifier.Verify(completion, gold, tiny);
        var stoppedAfter = watch.Elapsed;
        var finished = AnswerVerifier.Verify(completion, gold, ample);

        Assert.False(stopped.Correct);
        Assert.True(stopped.BudgetExhausted, stopped.Reason);
        Assert.Contains("budget", stopped.Reason, StringComparison.Ordinal);
        Assert.True(stoppedAfter < TimeSpan.FromMilliseconds(500), $"{stoppedAfter.TotalMilliseconds} ms");
        Assert.True(finished.Correct, finished.Reason);
        Assert.False(finished.BudgetExhausted);
    }

    [Fact]
    public void Should_reject_oversized_input_and_deep_nesting_with_a_reason()
    {
        var huge = AnswerVerifier.Verify(new string('9', 1_000_000), "9");
        var deep = AnswerVerifier.Verify("\\boxed{" + new string('(', 1000) + "1" + new string(')', 1000) + "}", "1");

        Assert.True(huge.BudgetExhausted);
        Assert.Contains("limit", huge.Reason, StringComparison.Ordinal);
        Assert.False(deep.Correct);
        Assert.True(deep.BudgetExhausted, deep.Reason);
    }

    private static string Describe(string s) =>
        (s.Length <= 40 ? s : $"{s[..30]}... ({s.Length} chars)").Replace("\n", "\\n", StringComparison.Ordinal);

    private static IEnumerable<string> Hostile()
    {
        yield return new string('{', 99_000);
        yield return "\\boxed{" + new string('{', 50_000);
        yield return string.Concat(Enumerable.Repeat("\\boxed{", 14_000));
        yield return string.Concat(Enumerable.Repeat("\\(", 49_000));
        yield return string.Concat(Enumerable.Repeat("$ \n", 33_000));
        yield return "\\boxed{" + new string('(', 20_000) + "1" + new string(')', 20_000) + "}";
        yield return "\\boxed{" + string.Concat(Enumerable.Repeat("\\frac{1}{", 500)) + "2" + new string('}', 500) + "}";
        yield return "\\boxed{" + string.Concat(Enumerable.Repeat("\\text{", 500)) + "2" + new string('}', 500) + "}";
        yield return "\\boxed{10^{10^{10^{10}}}}";
        yield return "\\boxed{" + new string('9', 1999) + "}";
        yield return "\\boxed{" + string.Join("^", Enumerable.Repeat("9", 300)) + "}";
        yield return "\\boxed{" + string.Join(",", Enumerable.Range(0, 400)) + "}";
        yield return "\\boxed{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"({i},{i})")) + "}";
        yield return "\\boxed{" + string.Concat(Enumerable.Repeat("x", 1500)) + "}";
        yield return "\\boxed{" + string.Concat(Enumerable.Repeat("1\\pm ", 30)) + "}";
        yield return "\\boxed{\\frac{1}{0}} \\boxed{0^0} \\boxed{(-8)^{1/3}} \\boxed{\\log_1 5}";
        yield return new string('a', 99_999);
        yield return new string('x', 1_000_000);
        yield return string.Concat(Enumerable.Repeat("The answer is ", 7000));
        yield return "\\boxed{}";
        yield return "";
        yield return "}}}}{{{{";
        yield return "\\";
    }

    private static string Random(ref SplitMix64 rng, int i)
    {
        var sb = new StringBuilder();
        var length = rng.NextInt(i % 10 == 0 ? 400 : 30);
        for (var k = 0; k < length; k++)
        {
            if (rng.NextInt(4) == 0) sb.Append((char)rng.NextInt(32, 126));
            else sb.Append(Tokens[rng.NextInt(Tokens.Length)]);
        }
        return sb.ToString();
    }
}
