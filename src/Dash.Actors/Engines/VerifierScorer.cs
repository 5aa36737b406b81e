// The reward and the evaluation verdict: the answer verifier with the task's answer format and the run's reward rules.
using Dash.Actors.Settings;
using Dash.Tasks.Grading;

namespace Dash.Actors.Engines;

/// <summary>
/// Grades a completion against a gold answer with one set of verifier options. The training reward, in-training
/// evaluation and <c>dash eval</c> all grade through this class, so they read the same answer the same way.
/// </summary>
public sealed class VerifierScorer(VerifierOptions options) : IRewardScorer
{
    /// <summary>The scorer of a run: its task's answer format, its opted-in reward rules, budget and format reward.</summary>
    public VerifierScorer(DashSettings settings) : this(RewardOptions(settings, settings.Task.Name)) { }

    /// <summary>The options this scorer grades with.</summary>
    public VerifierOptions Options { get; } = options;

    /// <summary>The verifier options of a run's reward for <paramref name="task"/>: its format plus the opted-in rules.</summary>
    public static VerifierOptions RewardOptions(DashSettings settings, string task)
    {
        var r = settings.Reward;
        return VerifierOptions.Default with
        {
            TimeBudget = TimeSpan.FromMilliseconds(settings.Verifier.BudgetMs),
            FormatRewardWeight = settings.Verifier.FormatReward,
            Extraction = AnswerFormats.Loosen(AnswerFormats.ForTask(task), r.AnswerPhrase, r.LastMath, r.WholeText, r.LastNumber),
        };
    }

    /// <summary>The verifier's full verdict (answer read, rule, reason).</summary>
    public Verdict Judge(string goldAnswer, string completion) => AnswerVerifier.Verify(completion, goldAnswer, Options);

    /// <inheritdoc />
    public (float Reward, bool Correct) Score(string goldAnswer, string completion)
    {
        var verdict = Judge(goldAnswer, completion);
        return ((float)AnswerVerifier.Reward(verdict, Options), verdict.Correct);
    }
}
