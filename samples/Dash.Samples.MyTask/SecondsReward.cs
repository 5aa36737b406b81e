// A user's own reward: 1 when the completion's last "Answer: <n> s" equals the gold number of seconds, else 0.
using System.Globalization;
using System.Text.RegularExpressions;
using Dash.Actors.Engines;

namespace Dash.Samples.MyTask;

/// <summary>
/// Reads only the task's answer format: the last <c>Answer: &lt;integer&gt; s</c> in the completion. A number
/// anywhere else, a missing unit or a second, different answer before the last one does not count.
/// </summary>
public sealed partial class SecondsReward : IRewardScorer
{
    [GeneratedRegex(@"Answer:\s*(-?\d+)\s*s\b", RegexOptions.CultureInvariant)]
    private static partial Regex AnswerPattern();

    /// <summary>The answer the completion gives, or null when it gives none in the task's format.</summary>
    public static long? ReadAnswer(string completion)
    {
        var matches = AnswerPattern().Matches(completion);
        return matches.Count > 0 && long.TryParse(matches[^1].Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;
    }

    public (float Reward, bool Correct) Score(string goldAnswer, string completion)
    {
        var correct = ReadAnswer(completion) is { } n && n.ToString(CultureInfo.InvariantCulture) == goldAnswer.Trim();
        return (correct ? 1f : 0f, correct);
    }
}
