// dash runs show counts in words a person would write: "1 evaluation", "2 evaluations".
using Dash.Host.Commands;

namespace Dash.Host.Tests.Runs;

public sealed class RunsTextSpecs
{
    [Theory]
    [InlineData(0, "0 evaluations")]
    [InlineData(1, "1 evaluation")]
    [InlineData(2, "2 evaluations")]
    public void Should_count_in_the_singular_only_for_one(int n, string expected)
    {
        Assert.Equal(expected, RunsCommand.Count(n, "evaluation"));
    }
}
