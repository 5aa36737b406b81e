// The sample reward on its own: it reads only the task's answer format.
using Dash.Samples.MyTask;
using Xunit;

namespace Dash.Samples.MyTask.Tests;

public sealed class SecondsRewardSpecs
{
    [Theory]
    [InlineData("60 seconds per minute, so Answer: 180 s", true)]
    [InlineData("Answer: 120 s. No wait. Answer: 180 s", true)]
    [InlineData("Answer: 180 s. No wait. Answer: 120 s", false)]
    [InlineData("The answer is 180", false)]
    [InlineData("Answer: 180", false)]
    public void Should_reward_only_the_last_answer_in_the_tasks_format(string completion, bool correct)
    {
        Assert.Equal((correct ? 1f : 0f, correct), new SecondsReward().Score("180", completion));
    }

    [Fact]
    public void Should_ask_the_same_problems_at_the_same_step_on_every_run()
    {
        var a = new MinutesTask().TrainPrompts(3, 8);
        var b = new MinutesTask().TrainPrompts(3, 8);
        Assert.Equal(a.Select(p => p.GoldAnswer), b.Select(p => p.GoldAnswer));
        Assert.All(a, p => Assert.Equal("Answer: " + p.GoldAnswer + " s", p.Solution));
    }
}
