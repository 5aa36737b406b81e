// The answer format each task's reward pays for (the paper's last \boxed{}), and the looser extraction of evaluations.
namespace Dash.Tasks.Grading;

/// <summary>
/// Which extraction rules grade a task. The training reward and in-training evaluation read only the task's answer
/// format: MATH, MATH-500 and the built-in task the last <c>\boxed{}</c> (adjacent boxes form one set answer), GSM8K
/// and JSONL files <c>#### N</c> or the last <c>\boxed{}</c>. Answer phrases, math segments, the last number and a whole
/// short text are opt-in (<see cref="Loosen"/>); <see cref="Lenient"/> turns them all on for grading other models' outputs.
/// </summary>
public static class AnswerFormats
{
    /// <summary>Every rule: for <c>dash eval --lenient</c> and <c>dash grade --lenient</c> of outputs not trained on a format.</summary>
    public static ExtractionOptions Lenient => ExtractionOptions.Default;

    /// <summary>The last \boxed{} or GSM8K's "#### N".</summary>
    public static ExtractionOptions BoxedOrHashes { get; } = ExtractionOptions.BoxedOnly with { Gsm8kHashes = true };

    /// <summary>The answer format of a task name (arithmetic, math, math500, gsm8k, or a JSONL path).</summary>
    public static ExtractionOptions ForTask(string task) => task.Trim().ToLowerInvariant() switch
    {
        TaskInfo.DefaultTaskName or "math" or "math500" => ExtractionOptions.BoxedOnly,
        _ => BoxedOrHashes,
    };

    /// <summary>The task's format with the opted-in looser rules added (answer phrase, math segment, whole text, last number).</summary>
    public static ExtractionOptions Loosen(ExtractionOptions format, bool answerPhrase, bool lastMath, bool wholeText, bool lastNumber) =>
        format with
        {
            AnswerIs = format.AnswerIs || answerPhrase,
            LastMath = format.LastMath || lastMath,
            WholeText = format.WholeText || wholeText,
            LastNumber = format.LastNumber || lastNumber,
        };

    /// <summary>The rules in words, for output headers: "last \boxed{}", "last \boxed{} or #### N", ….</summary>
    public static string Describe(ExtractionOptions o)
    {
        var rules = new List<string>();
        if (o.Boxed) rules.Add("last \\boxed{}");
        if (o.Gsm8kHashes) rules.Add("#### N");
        if (o.AnswerIs) rules.Add("\"the answer is\"");
        if (o.LastMath) rules.Add("last math segment");
        if (o.WholeText) rules.Add("whole short text");
        if (o.LastNumber) rules.Add("last number");
        return rules.Count == 0 ? "none" : string.Join(" or ", rules);
    }
}
