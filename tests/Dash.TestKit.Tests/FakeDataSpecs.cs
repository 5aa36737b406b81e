// Wrapping a user's task for the fake policy: its prompts pass through with a [step, index] header, answers come from the user.
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.TestKit.Tests;

public sealed class FakeDataSpecs
{
    private sealed class Squares : ITrainingData
    {
        public PromptItem[] TrainPrompts(long step, int count) =>
            [.. Enumerable.Range(0, count).Select(i => new PromptItem(i, $"sq{step}-{i}", [7, 7], ((step + i) * (step + i)).ToString(System.Globalization.CultureInfo.InvariantCulture), ""))];

        public PromptItem[] HeldOut(int count) => TrainPrompts(100, count);

        public int[] EncodeCompletion(string text) => [1];
    }

    [Fact]
    public void Should_prefix_each_prompt_with_its_step_and_index_and_answer_with_the_users_function()
    {
        var data = new FakeData(new Squares(), (item, right) => right ? item.GoldAnswer : "no");

        var prompts = data.TrainPrompts(3, 2);
        var held = data.HeldOut(1);

        Assert.Equal([3, 1, 7, 7], prompts[1].PromptIds);
        Assert.Equal([-1, 0, 7, 7], held[0].PromptIds);
        Assert.Equal("16", data.Answer(prompts[1].PromptIds, right: true));
        Assert.Equal("no", data.Answer(prompts[1].PromptIds, right: false));
        Assert.Equal("10000", data.Answer(held[0].PromptIds, right: true));
    }

    [Fact]
    public void Should_refuse_a_prompt_the_task_never_issued()
    {
        var data = new FakeData(new Squares(), (item, _) => item.GoldAnswer);
        var e = Assert.Throws<InvalidOperationException>(() => data.Answer([5, 0, 7, 7], true));
        Assert.Contains("prompt 0 of step 5", e.Message, StringComparison.Ordinal);
    }
}
