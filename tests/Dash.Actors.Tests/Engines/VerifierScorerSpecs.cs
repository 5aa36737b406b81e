// The training reward a run's settings build: the task's answer format only, looser rules opted in one key at a time.
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Tasks;

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
        Assert.Equal(["dash.reward.last-number"], RunDecisions.ChangedKeys(before, after));
    }

    // A sampler that answers every prompt with the same text, so the evaluator grades exactly that completion.
    private sealed class Scripted(string text) : IPolicySampler
    {
        public IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<int[]> prompts, int groupSize, bool greedy, ulong seed) =>
            [.. Enumerable.Range(0, prompts.Count * groupSize).Select(_ => new SampledCompletion([1], [0f], FinishReason.Eos, text))];

        public void LoadWeights(ReadOnlySpan<float> weights) { }

        public void Dispose() { }
    }

    [Theory]
    [InlineData("42", false)]
    [InlineData("40, 41, 42", false)]
    [InlineData("\\boxed{40}, \\boxed{41}, \\boxed{42}", false)]
    [InlineData("I think it is 43. Or maybe 42", false)]
    [InlineData("<think>6*7 = \\boxed{42}</think>", true)]
    [InlineData("```latex\n\\boxed{42}\n```", true)]
    public void Should_give_a_reward_hack_the_same_verdict_in_training_and_in_evaluation(string completion, bool correct)
    {
        var scorer = Scorer();
        var rollout = new Rollout(0, "p", "42", [1], [1], [0f], FinishReason.Eos, completion, 0f, 0f, []);

        var training = StepWork.Score(scorer, new RolloutBatch(0, 0, 0, [rollout]));
        var evaluation = new Evaluator(new Scripted(completion), scorer, _ => [1], batchSize: 8).Run([new Problem("p", "6*7?", "42")], k: 2, seed: 1)[0];

        Assert.Equal(correct ? 1 : 0, training.Correct);
        Assert.Equal(correct ? 1f : 0f, training.Batch.Rows[0].Reward);
        Assert.Equal(correct, evaluation.Verdict.Correct);
        Assert.Equal(correct ? 2 : 0, evaluation.SampledCorrect);
    }
}
