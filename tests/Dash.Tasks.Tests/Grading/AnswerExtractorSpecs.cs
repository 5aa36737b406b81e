// Specifications of answer extraction: boxes, answer phrases, GSM8K hashes, math segments and the number fallback.
using Dash.Tasks.Grading;

namespace Dash.Tasks.Tests.Grading;

public class AnswerExtractorSpecs
{
    [Theory]
    [InlineData("so \\boxed{\\frac{1}{2}} is it", "\\frac{1}{2}", ExtractionRule.Boxed)]
    [InlineData("a \\boxed{1} then \\boxed{\\{2, 3\\}}.", "\\{2, 3\\}", ExtractionRule.Boxed)]
    [InlineData("\\fbox{7}", "7", ExtractionRule.Boxed)]
    [InlineData("thus \\boxed 5", "5", ExtractionRule.Boxed)]
    [InlineData("steps\n#### 1,234", "1,234", ExtractionRule.Gsm8kHashes)]
    [InlineData("Hence the answer is $\\frac{3}{4}$. I hope it is correct.", "\\frac{3}{4}", ExtractionRule.AnswerIs)]
    [InlineData("The final answer is 12. Done", "12", ExtractionRule.AnswerIs)]
    [InlineData("We get $x = 3$ and so on, then $y=4$", "y=4", ExtractionRule.LastMath)]
    [InlineData("after some thought it comes to 42 apples", "42", ExtractionRule.LastNumber)]
    public void Should_find_the_answer_by_the_expected_rule(string text, string answer, ExtractionRule rule)
    {
        var extraction = AnswerExtractor.Extract(text, ExtractionOptions.Default);

        Assert.Equal(answer, extraction.Answer);
        Assert.Equal(rule, extraction.Rule);
    }

    [Fact]
    public void Should_combine_adjacent_boxes_into_a_set()
    {
        var extraction = AnswerExtractor.Extract("roots are \\boxed{1} and \\boxed{-2}.", ExtractionOptions.Default);

        Assert.Equal("\\{1, -2\\}", extraction.Answer);
        Assert.Contains("combined", extraction.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_skip_an_unbalanced_box_and_fall_back_when_allowed()
    {
        var boxedOnly = AnswerExtractor.Extract("\\boxed{1 + {2}", ExtractionOptions.BoxedOnly);
        var lenient = AnswerExtractor.Extract("it is 3 then \\boxed{1 + {2}", ExtractionOptions.Default);

        Assert.False(boxedOnly.Found);
        Assert.Equal("2", lenient.Answer);
    }

    [Fact]
    public void Should_not_read_a_number_glued_to_letters()
    {
        var extraction = AnswerExtractor.Extract("code AZYUK2A", ExtractionOptions.Default with { WholeText = false });

        Assert.False(extraction.Found);
    }

    [Fact]
    public void Should_not_use_the_last_number_when_the_fallback_is_off()
    {
        var extraction = AnswerExtractor.Extract("it comes to 42 apples", ExtractionOptions.LatexOnly);

        Assert.False(extraction.Found);
        Assert.Equal(ExtractionRule.None, extraction.Rule);
    }

    [Fact]
    public void Should_say_which_rules_it_looked_for_when_it_finds_no_answer()
    {
        const string text = "I am not sure what to write here";

        Assert.Equal("no \\boxed{} found", AnswerExtractor.Extract(text, ExtractionOptions.BoxedOnly).Reason);
        Assert.Equal("no \\boxed{} or \"#### N\" line found",
            AnswerExtractor.Extract(text, ExtractionOptions.BoxedOnly with { Gsm8kHashes = true }).Reason);
        Assert.Equal("no \\boxed{}, answer phrase, \"#### N\" line, math segment, number or short whole-text answer found",
            AnswerExtractor.Extract(text, ExtractionOptions.Default).Reason);
    }
}
