// Specifies that the sampler draws what it drew before the lean decode loop: same seeds, same tokens (fp32).
using Dash.Model.Sampling;

namespace Dash.Model.Tests.Sampling;

public sealed class SamplerEquivalenceSpecs
{
    public static TheoryData<string> Names => [.. SamplerRecording.Scenarios.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Should_reproduce_the_recorded_tokens_and_log_probs(string name)
    {
        var scenario = SamplerRecording.Scenarios.Single(s => s.Name == name);
        var recorded = SamplerRecording.Load()[name];

        var actual = SamplerRecording.Run(scenario, m => new Sampler(m));

        AssertSame(recorded, actual);
    }

    /// <summary>Identical tokens and finish reasons; log-probs within float32 rounding of a batch-size change.</summary>
    internal static void AssertSame(IReadOnlyList<RecordedCompletion> expected, IReadOnlyList<RecordedCompletion> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var row = 0; row < expected.Count; row++)
        {
            Assert.Equal(expected[row].TokenIds, actual[row].TokenIds);
            Assert.Equal(expected[row].FinishReason, actual[row].FinishReason);
            for (var j = 0; j < expected[row].LogProbs.Length; j++)
                Assert.True(Math.Abs(expected[row].LogProbs[j] - actual[row].LogProbs[j]) < 1e-5,
                    $"row {row} token {j}: {expected[row].LogProbs[j]} recorded, {actual[row].LogProbs[j]} now");
        }
    }
}
