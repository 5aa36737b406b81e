// Reward hacking: outputs a policy under RL finds, each judged as the paper's rule (the last \boxed{}) judges it.
using Dash.Tasks.Grading;

namespace Dash.Tasks.Tests.Grading;

public class RewardHackingSpecs
{
    private const string Gold = "42";
    private static readonly VerifierOptions Base = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2) };

    public static TheoryData<string, string, bool> Cases()
    {
        var hidden = "\\boxed{42} " + new string('x', 100 * 1024);
        var data = new TheoryData<string, string, bool>();
        foreach (var task in new[] { "arithmetic", "math500", "math", "gsm8k" })
        {
            data.Add(task, "42", false);                                           // a bare number
            data.Add(task, "The answer is 42.", false);                            // an answer phrase without a box
            data.Add(task, "40, 41, 42", false);                                   // a list of candidates
            data.Add(task, "\\boxed{40, 41, 42}", false);                          // a list of candidates in a box
            data.Add(task, "\\boxed{40}, \\boxed{41}, \\boxed{42}", false);        // several boxes side by side: one set answer
            data.Add(task, "\\boxed{41 \\text{ or } 42}", false);                  // "x or y" in a box
            data.Add(task, "I think it is 43. Or maybe 42", false);                // "x or y" in prose
            data.Add(task, "So \\boxed{41}. Wait, 6*7=42, so \\boxed{42}", true);  // a correction: the last box counts
            data.Add(task, "<think>6*7 = \\boxed{42}</think>", true);              // only in a <think> block: the paper reads it all
            data.Add(task, hidden, false);                                         // the gold in a 100 KB completion: over the limit
            data.Add(task, "```latex\n\\boxed{42}\n```", true);                    // a box in a code block is still the last box
            data.Add(task, "```python\nprint(6*7)  # 42\n```", false);             // a number in code
            data.Add(task, "6*7=42. \\boxed{42}", true);                           // the intended format
        }
        data.Add("gsm8k", "6*7=42\n#### 42", true);
        data.Add("math500", "6*7=42\n#### 42", false);
        data.Add("arithmetic", "6*7=42\n#### 42", false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_pay_the_reward_only_for_the_tasks_answer_format(string task, string completion, bool rewarded)
    {
        var verdict = AnswerVerifier.Verify(completion, Gold, Base with { Extraction = AnswerFormats.ForTask(task) });

        Assert.True(rewarded == verdict.Correct, $"{task}: {verdict.Reason}");
    }

    [Theory]
    [InlineData("42", true)]
    [InlineData("The answer is 42.", true)]
    [InlineData("I think it is 43. Or maybe 42", true)]
    [InlineData("\\boxed{41 \\text{ or } 42}", false)]
    [InlineData("\\boxed{40}, \\boxed{41}, \\boxed{42}", false)]
    [InlineData("<think>\\boxed{42}</think> The answer is 41.", false)]
    public void Should_report_what_the_lenient_evaluation_extraction_reads(string completion, bool correct)
    {
        var verdict = AnswerVerifier.Verify(completion, Gold, Base with { Extraction = AnswerFormats.Lenient });

        Assert.True(correct == verdict.Correct, verdict.Reason);
    }

    [Fact]
    public void Should_add_only_the_opted_in_rules_to_a_tasks_format()
    {
        var lastNumber = AnswerFormats.Loosen(AnswerFormats.ForTask("math500"), answerPhrase: false, lastMath: false, wholeText: false, lastNumber: true);

        Assert.True(AnswerVerifier.Verify("I think it is 43. Or maybe 42", Gold, Base with { Extraction = lastNumber }).Correct);
        Assert.False(AnswerVerifier.Verify("The answer is 42 apples, not 41", Gold, Base with { Extraction = lastNumber }).Correct);
        Assert.Equal("last \\boxed{} or last number", AnswerFormats.Describe(lastNumber));
        Assert.Equal("last \\boxed{} or #### N", AnswerFormats.Describe(AnswerFormats.ForTask("gsm8k")));
    }
}
