// The numeric policy a reward can live with: exact values equal a decimal only when it is exact or the gold is that decimal.
using Dash.Tasks.Grading;

namespace Dash.Tasks.Tests.Grading;

public class NumericPolicySpecs
{
    private static readonly VerifierOptions Options = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2) };

    [Theory]
    [InlineData("\\pi", "3.14")]
    [InlineData("\\pi", "3.1416")]
    [InlineData("\\frac{1}{3}", "0.333")]
    [InlineData("\\frac{1}{3}", "0.33")]
    [InlineData("\\frac{70}{9}", "7.78")]
    [InlineData("\\sqrt{2}", "1.414")]
    [InlineData("e", "2.718")]
    [InlineData("2\\pi", "6.28")]
    [InlineData("3.14", "3.1416")]
    [InlineData("0.1", "0.1001")]
    public void Should_not_accept_a_rounded_decimal_for_an_exact_or_other_gold(string gold, string predicted)
    {
        var verdict = AnswerVerifier.Verify($"so \\boxed{{{predicted}}}", gold, Options);

        Assert.False(verdict.Correct, verdict.Reason);
    }

    [Theory]
    [InlineData("\\frac{1}{2}", "0.5")]
    [InlineData("\\frac{3}{8}", "0.375")]
    [InlineData("12", "12.0")]
    [InlineData("0.5", "\\frac{1}{2}")]
    [InlineData("7.78", "\\frac{70}{9}")]
    [InlineData("3.14", "\\pi")]
    [InlineData("1.41", "\\sqrt{2}")]
    [InlineData("2.5", "2.50")]
    [InlineData("\\frac{1}{12}", "0.0833333333333333")]
    [InlineData("\\frac{3\\pi}{2}", "1.5\\pi")]
    public void Should_accept_an_exact_decimal_and_an_exact_value_of_a_decimal_gold(string gold, string predicted)
    {
        var verdict = AnswerVerifier.Verify($"so \\boxed{{{predicted}}}", gold, Options);

        Assert.True(verdict.Correct, verdict.Reason);
    }

    [Fact]
    public void Should_compare_decimals_at_a_tight_relative_tolerance()
    {
        Assert.Equal(1e-12, VerifierOptions.Default.DecimalTolerance);
        Assert.True(AnswerVerifier.CompareAnswers("1234.5678", "1234.5678000000001", Options).Correct);
        Assert.False(AnswerVerifier.CompareAnswers("1234.5678", "1234.56780001", Options).Correct);
    }
}
