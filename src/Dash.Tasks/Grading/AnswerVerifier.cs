// The reward's verifier: extracts the answer from a completion and judges it against the gold answer, within a budget.
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dash.Tasks.Grading;

/// <summary>
/// Verifies completions against gold answers. It never throws and never runs long: malformed, huge or hostile input
/// gives a "wrong" verdict whose reason says what happened.
/// </summary>
public static partial class AnswerVerifier
{
    /// <summary>Extracts the answer of <paramref name="completion"/> and compares it with <paramref name="goldAnswer"/>.</summary>
    public static Verdict Verify(string completion, string goldAnswer, VerifierOptions? options = null)
    {
        WarmUp();
        return VerifyCore(completion, goldAnswer, options ?? VerifierOptions.Default);
    }

    /// <summary>
    /// Compiles the verifier's code paths once (the first call in a process otherwise spends much of a 50 ms budget in
    /// the JIT). <see cref="Verify"/> calls it; a host may call it at start-up. Idempotent and thread-safe.
    /// </summary>
    public static void WarmUp()
    {
        if (Volatile.Read(ref _warm) != 0 || Interlocked.Exchange(ref _warm, 1) != 0) return;
        var ample = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(10) };
        foreach (var (completion, gold) in WarmUpCases) VerifyCore(completion, gold, ample);
    }

    private static int _warm;

    private static readonly (string Completion, string Gold)[] WarmUpCases =
    [
        ("so \\boxed{\\dfrac{1}{2}}.", "0.5"),
        ("The answer is $x^2+2x+1$.", "(x+1)^2"),
        ("\\boxed{[0,1) \\cup (2, \\infty)}", "[0,1)\\cup(2,\\infty)"),
        ("\\boxed{x = 3, y = \\pm\\sqrt{2}}", "x=3,y=\\pm\\sqrt2"),
        ("steps\n#### 1,234", "1234"),
        ("$\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}$", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
        ("\\boxed{x \\ge 2}", "[2, \\infty)"),
        ("\\boxed{\\{1, 2\\}} and \\boxed{3}", "\\{1,2,3\\}"),
        ("it is 12 apples", "12"),
        ("\\boxed{\\sin 2x + \\log_2 8 + 5! + 10\\%}", "2\\sin x\\cos x+123"),
    ];

    private static Verdict VerifyCore(string completion, string goldAnswer, VerifierOptions options)
    {
        var start = Stopwatch.GetTimestamp();
        string? extracted = null;
        var rule = ExtractionRule.None;
        try
        {
            if (completion is null || goldAnswer is null) return Wrong("completion or gold answer is null");
            options.Validate();
            if (completion.Length > options.MaxInputLength)
                return Wrong($"completion of {completion.Length} characters exceeds the {options.MaxInputLength}-character limit", budget: true);
            var budget = new Budget(options.TimeBudget, options.MaxDepth);
            var extraction = AnswerExtractor.Extract(completion, options.Extraction, budget);
            if (!extraction.Found) return Wrong(extraction.Reason);
            extracted = extraction.Answer;
            rule = extraction.Rule;
            var (correct, reason) = Judge(extraction.Answer!, GoldAnswer(goldAnswer, budget), options, budget);
            return new Verdict(correct, $"{reason} ({extraction.Reason})", extracted, rule, Stopwatch.GetElapsedTime(start));
        }
        catch (BudgetExceededException e)
        {
            return Wrong(e.Message, budget: true);
        }
        catch (ArgumentException e)
        {
            return Wrong($"invalid verifier options: {e.Message}");
        }
        catch (Exception e)
        {
            return Wrong($"internal error {e.GetType().Name}: {e.Message}");
        }

        Verdict Wrong(string reason, bool budget = false) =>
            new(false, reason, extracted, rule, Stopwatch.GetElapsedTime(start)) { BudgetExhausted = budget };
    }

    /// <summary>
    /// Judges two free texts against each other: the answer is extracted from both sides with the same rules (for
    /// graders' test suites whose gold side is itself a solution or a formatted answer).
    /// </summary>
    public static Verdict VerifyTexts(string predictedText, string goldText, VerifierOptions? options = null)
    {
        options ??= VerifierOptions.Default;
        if (goldText is null || goldText.Length > options.MaxInputLength) return Verify(predictedText, goldText!, options);
        var gold = AnswerExtractor.Extract(goldText, options.Extraction, new Budget(options.TimeBudget, options.MaxDepth));
        return Verify(predictedText, gold.Answer ?? goldText, options);
    }

    /// <summary>Compares two answers directly (no extraction from the predicted side).</summary>
    public static Verdict CompareAnswers(string predictedAnswer, string goldAnswer, VerifierOptions? options = null)
    {
        WarmUp();
        options ??= VerifierOptions.Default;
        var start = Stopwatch.GetTimestamp();
        try
        {
            if (predictedAnswer is null || goldAnswer is null) return new Verdict(false, "answer is null", null, ExtractionRule.None, TimeSpan.Zero);
            options.Validate();
            var budget = new Budget(options.TimeBudget, options.MaxDepth);
            var (correct, reason) = Judge(predictedAnswer, goldAnswer, options, budget);
            return new Verdict(correct, reason, predictedAnswer, ExtractionRule.WholeText, Stopwatch.GetElapsedTime(start));
        }
        catch (BudgetExceededException e)
        {
            return new Verdict(false, e.Message, predictedAnswer, ExtractionRule.WholeText, Stopwatch.GetElapsedTime(start)) { BudgetExhausted = true };
        }
        catch (Exception e)
        {
            return new Verdict(false, $"internal error {e.GetType().Name}: {e.Message}", predictedAnswer, ExtractionRule.WholeText, Stopwatch.GetElapsedTime(start));
        }
    }

    /// <summary>The correctness reward plus the optional format reward (a \boxed answer present).</summary>
    public static double Reward(Verdict verdict, VerifierOptions? options = null)
    {
        options ??= VerifierOptions.Default;
        return verdict.Reward + (verdict.Rule == ExtractionRule.Boxed ? options.FormatRewardWeight : 0.0);
    }

    // A gold answer that itself contains \boxed{} is read through its boxes; otherwise it is the answer.
    private static string GoldAnswer(string gold, Budget budget)
    {
        if (!gold.Contains("\\boxed", StringComparison.Ordinal) && !gold.Contains("\\fbox", StringComparison.Ordinal)) return gold;
        var boxed = AnswerExtractor.Extract(gold, ExtractionOptions.BoxedOnly, budget);
        return boxed.Answer ?? gold;
    }

    private static (bool Correct, string Reason) Judge(string predicted, string gold, VerifierOptions options, Budget budget)
    {
        if (predicted.Length > options.MaxAnswerLength || gold.Length > options.MaxAnswerLength)
            throw new BudgetExceededException($"answer longer than {options.MaxAnswerLength} characters");
        if (predicted.Trim() == gold.Trim() && gold.Any(char.IsAsciiLetterOrDigit)) return (true, "identical answers");
        var p = LatexNormalizer.Normalize(predicted);
        var g = LatexNormalizer.Normalize(gold);
        budget.Check();
        if (g.Length == 0) return (false, "the gold answer is empty");
        if (p.Length == 0) return (false, "the extracted answer is empty");
        if (p == g) return (true, "identical after normalisation");
        if (LatexNormalizer.Key(p) == LatexNormalizer.Key(g)) return (true, "equal after normalisation");
        foreach (var pv in Readings(p))
        {
            foreach (var gv in Readings(g))
            {
                if (AnswerComparer.Equal(AnswerParser.Parse(pv, budget), AnswerParser.Parse(gv, budget), options, budget))
                    return (true, "equivalent as mathematics");
            }
        }
        return (false, $"\"{Clip(p)}\" is not equivalent to \"{Clip(g)}\"");
    }

    // The normalised answer, plus its decimal-comma reading (1,22 → 1.22) when it is two digit runs joined by a comma.
    private static IEnumerable<string> Readings(string normalized)
    {
        yield return normalized;
        if (DecimalComma().IsMatch(normalized)) yield return normalized.Replace(',', '.');
    }

    private static string Clip(string s) => s.Length <= 80 ? s : s[..77] + "...";

    [GeneratedRegex(@"^-?\d+,\d+$")]
    private static partial Regex DecimalComma();
}
