// The training reward a run's settings build: the task's answer format only, looser rules opted in one key at a time.
using Dash.Actors.Engines;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Engines;

public sealed class VerifierScorerSpecs
{
    private static VerifierScorer Scorer(params string[] sets) => new(ConfigLoader.Load(sets: ["verifier.budget-ms=2000", .. sets]).Settings);

    [Theory]
    [InlineData("42", 0f)]
    [InlineData("I think it is 43. Or maybe 42", 0f)]
    [InlineData("The answer is 42.", 0f)]
    [InlineData("6*7=42\n#### 42", 0f)]
    [InlineData("6*7=42. \\boxed{42}", 1f)]
    public void Should_reward_only_the_built_in_tasks_boxed_answer_by_default(string completion, float reward)
    {
        Assert.Equal((reward, reward > 0), Scorer().Score("42", completion));
    }

    [Fact]
    public void Should_also_read_GSM8K_hashes_for_the_gsm8k_task()
    {
        Assert.True(Scorer("task.name=gsm8k").Score("42", "6*7=42\n#### 42").Correct);
        Assert.False(Scorer("task.name=math500").Score("42", "6*7=42\n#### 42").Correct);
    }

    [Theory]
    [InlineData("reward.last-number=on", "I think it is 43. Or maybe 42")]
    [InlineData("reward.whole-text=on", "42")]
    [InlineData("reward.answer-phrase=on", "The answer is 42.")]
    [InlineData("reward.last-math=on", "so it is $42$")]
    public void Should_pay_a_looser_rule_only_when_opted_in(string set, string completion)
    {
        Assert.False(Scorer().Score("42", completion).Correct);
        Assert.True(Scorer(set).Score("42", completion).Correct);
    }

    [Fact]
    public void Should_refuse_a_bad_reward_value_naming_the_key_and_a_changed_reward_on_resume()
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["reward.last-number=maybe"]));
        var before = ConfigLoader.Load().Text;
        var after = ConfigLoader.Load(sets: ["reward.last-number=on"]).Text;

        Assert.Contains("dash.reward.last-number", e.Message, StringComparison.Ordinal);
        Assert.Equal(["dash.reward.last-number"], TrainingCoordinatorActor.ChangedKeys(before, after));
    }
}
