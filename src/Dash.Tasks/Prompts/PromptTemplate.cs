// Prompt templates: the raw problem (the paper's choice), the Qwen chat format, and few-shot worked examples.
using System.Text;

namespace Dash.Tasks.Prompts;

/// <summary>Turns a problem into the text the model is prompted with.</summary>
public abstract record PromptTemplate
{
    /// <summary>The prompt for <paramref name="problem"/>.</summary>
    public abstract string Render(Problem problem);
}

/// <summary>The problem text as it is, which is what the DASH paper prompts with.</summary>
public sealed record RawPrompt : PromptTemplate
{
    /// <inheritdoc />
    public override string Render(Problem problem) => problem.Question;
}

/// <summary>Qwen's ChatML: a system turn, the problem as the user turn, and an open assistant turn.</summary>
public sealed record QwenChatPrompt(string System) : PromptTemplate
{
    /// <summary>Qwen2.5-Math's recommended system prompt.</summary>
    public const string DefaultSystem = "Please reason step by step, and put your final answer within \\boxed{}.";

    /// <summary>Uses <see cref="DefaultSystem"/>.</summary>
    public QwenChatPrompt() : this(DefaultSystem) { }

    /// <inheritdoc />
    public override string Render(Problem problem) =>
        $"<|im_start|>system\n{System}<|im_end|>\n<|im_start|>user\n{problem.Question}<|im_end|>\n<|im_start|>assistant\n";
}

/// <summary>
/// k worked examples ("Problem: … / Solution: …", blank line between) and then the problem with an open solution.
/// Examples without a solution are skipped; an example identical to the problem is never shown.
/// </summary>
public sealed record FewShotPrompt(IReadOnlyList<Problem> Examples, int K) : PromptTemplate
{
    /// <inheritdoc />
    public override string Render(Problem problem)
    {
        var sb = new StringBuilder();
        foreach (var example in Examples.Where(e => e.Solution is not null && e.Id != problem.Id && e.Question != problem.Question).Take(K))
            sb.Append("Problem: ").Append(example.Question).Append("\nSolution: ").Append(example.Solution).Append("\n\n");
        return sb.Append("Problem: ").Append(problem.Question).Append("\nSolution:").ToString();
    }
}
