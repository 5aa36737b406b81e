// Specifications of answer equivalence: normalisation, numbers, structures, relations and expressions.
using Dash.Tasks.Grading;

namespace Dash.Tasks.Tests.Grading;

public class AnswerVerifierSpecs
{
    private static readonly VerifierOptions Generous = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2) };

    [Theory]
    [InlineData("\\dfrac{1}{2}", "\\frac{1}{2}")]
    [InlineData("\\tfrac83", "\\frac{8}{3}")]
    [InlineData("\\frac12", "0.5")]
    [InlineData("1/2", "\\frac{1}{2}")]
    [InlineData(".5", "0.5")]
    [InlineData("\\left(x-2\\right)\\left(x+2\\right)", "(x-2)(x+2)")]
    [InlineData("90^\\circ", "90")]
    [InlineData("\\$10", "10")]
    [InlineData("10\\%", "10")]
    [InlineData("10\\text{ units}", "10")]
    [InlineData("15\\mbox{ cm}^2", "15")]
    [InlineData("1,000,000", "1000000")]
    [InlineData("1{,}000", "1000")]
    [InlineData("x = 1,000", "1000")]
    [InlineData("10\\sqrt3", "10\\sqrt{3}")]
    [InlineData("\\sqrt{12}", "2\\sqrt{3}")]
    [InlineData("1.5e3", "1500")]
    [InlineData("3 \\times 10^{2}", "300")]
    [InlineData("\\pi/2", "\\frac{\\pi}{2}")]
    [InlineData("2\\frac{1}{4}", "\\frac{9}{4}")]
    [InlineData("x = 5", "5")]
    [InlineData("(3, \\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)")]
    [InlineData("[-2, 7)", "[-2,7)")]
    [InlineData("(-\\infty, 0] \\cup (1, \\infty)", "(-\\infty,0]\\cup(1,\\infty)")]
    [InlineData("\\{3, 1, 2\\}", "\\{1,2,3\\}")]
    [InlineData("1 \\pm \\sqrt{19}", "1+\\sqrt{19}, 1-\\sqrt{19}")]
    [InlineData("\\{1\\pm\\sqrt{5},-2\\}", "\\{-2, 1+\\sqrt5, 1-\\sqrt5\\}")]
    [InlineData("2x+4y-3=0", "y=-\\frac{1}{2}x+\\frac{3}{4}")]
    [InlineData("x \\ge 5", "5 \\le x")]
    [InlineData("\\frac{x+2}{7}", "\\frac{x}{7}+\\frac{2}{7}")]
    [InlineData("\\sec^2(y)", "\\tan^2(y)+1")]
    [InlineData("\\sqrt[3]{-8}", "-2")]
    [InlineData("\\frac34i", "0.75i")]
    [InlineData("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{bmatrix}1\\\\2\\end{bmatrix}")]
    [InlineData("\\text{(C)}", "C")]
    [InlineData("\\frac{70}{9}", "7.78")]
    [InlineData("a_3 = 2, a_{37} = 19", "a_{37} = 19, a_3 = 2")]
    [InlineData("2\\sin x\\cos x", "\\sin 2x")]
    [InlineData("5!", "120")]
    [InlineData("3 \\cdot 4 = 12", "12")]
    [InlineData("\\binom{5}{2}", "10")]
    [InlineData("\\log_2 8", "3")]
    [InlineData("p=5,q=2;p=7,q=2", "(5,2),(7,2)")]
    public void Should_judge_equivalent_spellings_equal(string predicted, string gold)
    {
        var verdict = AnswerVerifier.CompareAnswers(predicted, gold, Generous);

        Assert.True(verdict.Correct, verdict.Reason);
    }

    [Theory]
    [InlineData("1000000007", "1000000008")]
    [InlineData("10, 4, -2", "4, 10, -2")]
    [InlineData("(1, 2)", "(2, 1)")]
    [InlineData("[0, 1)", "(0, 1)")]
    [InlineData("x < 5", "x > 5")]
    [InlineData("\\pm 2021", "2021")]
    [InlineData("12:00", "1:00")]
    [InlineData("\\frac{1}{0}", "\\frac{2}{0}")]
    [InlineData("x+1", "y+1")]
    [InlineData("7 = 11a+c", "11a+c")]
    [InlineData("0.334", "\\frac{1}{3}")]
    [InlineData("7.78", "\\frac{70}{9}")]
    [InlineData("5x - 7y + 11z + 4 = 0", "x + y - z + 2 = 0")]
    [InlineData("\\infty", "-\\infty")]
    [InlineData("x = 1, y = 2", "(2, 1)")]
    [InlineData("a + 3z = 0", "0")]
    public void Should_judge_different_answers_unequal(string predicted, string gold)
    {
        var verdict = AnswerVerifier.CompareAnswers(predicted, gold, Generous);

        Assert.False(verdict.Correct, verdict.Reason);
    }

    [Fact]
    public void Should_extract_the_last_box_of_a_completion_and_report_how()
    {
        var verdict = AnswerVerifier.Verify("First \\boxed{3}, then $x=2$ so \\boxed{\\frac{1}{2}}.", "0.5", Generous);

        Assert.True(verdict.Correct, verdict.Reason);
        Assert.Equal("\\frac{1}{2}", verdict.Extracted);
        Assert.Equal(ExtractionRule.Boxed, verdict.Rule);
    }

    [Fact]
    public void Should_give_reward_one_for_correct_and_add_the_format_weight_for_a_box()
    {
        var options = Generous with { FormatRewardWeight = 0.1 };

        var boxed = AnswerVerifier.Verify("so \\boxed{4}", "4", options);
        var plain = AnswerVerifier.Verify("The answer is 4.", "4", options);
        var wrong = AnswerVerifier.Verify("so \\boxed{5}", "4", options);

        Assert.Equal(1.1, AnswerVerifier.Reward(boxed, options), 10);
        Assert.Equal(1.0, AnswerVerifier.Reward(plain, options), 10);
        Assert.Equal(0.1, AnswerVerifier.Reward(wrong, options), 10);
        Assert.Equal(0.0, wrong.Reward);
    }

    [Fact]
    public void Should_return_wrong_with_a_reason_when_no_answer_is_found()
    {
        var verdict = AnswerVerifier.Verify("I do not know.", "4", Generous with { Extraction = ExtractionOptions.BoxedOnly });

        Assert.False(verdict.Correct);
        Assert.Null(verdict.Extracted);
        Assert.Contains("no", verdict.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("\\boxed{}", "")]
    [InlineData("\\boxed{}", "\\$")]
    [InlineData("\\boxed{\\%}", "5")]
    public void Should_never_reward_an_empty_answer_or_an_empty_gold(string completion, string gold)
    {
        var verdict = AnswerVerifier.Verify(completion, gold, Generous);

        Assert.False(verdict.Correct, verdict.Reason);
    }

    [Fact]
    public void Should_answer_wrong_naming_the_setting_when_options_are_invalid()
    {
        var verdict = AnswerVerifier.Verify("\\boxed{1}", "1", VerifierOptions.Default with { RandomPoints = 0 });

        Assert.False(verdict.Correct);
        Assert.Contains("RandomPoints", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_not_charge_compilation_to_the_first_verification()
    {
        AnswerVerifier.WarmUp();

        var verdict = AnswerVerifier.Verify("so \\boxed{\\frac{3}{4}}", "0.75");

        Assert.True(verdict.Correct, verdict.Reason);
        Assert.False(verdict.BudgetExhausted, verdict.Reason);
    }

    [Fact]
    public void Should_compare_bare_lists_in_order_unless_told_otherwise()
    {
        var ordered = AnswerVerifier.CompareAnswers("1, -2", "-2, 1", Generous);
        var unordered = AnswerVerifier.CompareAnswers("1, -2", "-2, 1", Generous with { UnorderedBareLists = true });
        var tuple = AnswerVerifier.CompareAnswers("(1, -2)", "(-2, 1)", Generous with { UnorderedBareLists = true });

        Assert.False(ordered.Correct);
        Assert.True(unordered.Correct, unordered.Reason);
        Assert.False(tuple.Correct);
    }

    [Fact]
    public void Should_honour_a_looser_relative_tolerance_when_configured()
    {
        var strict = AnswerVerifier.CompareAnswers("3.14159", "\\pi", Generous with { AcceptRoundedDecimals = false });
        var loose = AnswerVerifier.CompareAnswers("3.14159", "\\pi", Generous with { AcceptRoundedDecimals = false, DecimalTolerance = 1e-5 });

        Assert.False(strict.Correct);
        Assert.True(loose.Correct, loose.Reason);
    }

    [Fact]
    public void Should_accept_a_predicted_inequality_for_an_interval_only_when_allowed()
    {
        var strict = AnswerVerifier.CompareAnswers("x \\ge 5", "[5, \\infty)", Generous);
        var allowed = AnswerVerifier.CompareAnswers("x \\ge 5", "[5, \\infty)", Generous with { AcceptInequalityForInterval = true });
        var reverse = AnswerVerifier.CompareAnswers("[5, \\infty)", "x \\ge 5", Generous);

        Assert.False(strict.Correct);
        Assert.True(allowed.Correct, allowed.Reason);
        Assert.True(reverse.Correct, reverse.Reason);
    }
}
