// Specifications of the prompt templates: raw problem, Qwen chat format and few-shot worked examples.
using Dash.Tasks.Prompts;

namespace Dash.Tasks.Tests.Prompts;

public class PromptTemplateSpecs
{
    private static readonly Problem Question = new("q", "What is 2+3?", "5", "2+3=5. \\boxed{5}");

    [Fact]
    public void Should_render_the_raw_problem_unchanged()
    {
        Assert.Equal("What is 2+3?", new RawPrompt().Render(Question));
    }

    [Fact]
    public void Should_render_the_Qwen_chat_format_with_an_open_assistant_turn()
    {
        var prompt = new QwenChatPrompt("Be brief.").Render(Question);

        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public void Should_show_k_worked_examples_but_never_the_problem_itself()
    {
        var examples = new[]
        {
            Question,
            new Problem("a", "What is 1+1?", "2", "1+1=2. \\boxed{2}"),
            new Problem("b", "What is 4+4?", "8"),
            new Problem("c", "What is 2+2?", "4", "2+2=4. \\boxed{4}"),
            new Problem("d", "What is 3+3?", "6", "3+3=6. \\boxed{6}"),
        };

        var prompt = new FewShotPrompt(examples, 2).Render(Question);

        Assert.Equal(
            "Problem: What is 1+1?\nSolution: 1+1=2. \\boxed{2}\n\nProblem: What is 2+2?\nSolution: 2+2=4. \\boxed{4}\n\nProblem: What is 2+3?\nSolution:",
            prompt);
    }
}
