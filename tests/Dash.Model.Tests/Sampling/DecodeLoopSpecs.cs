// Specifies the lean decode loop: one prefill per distinct prompt, and the device-resident loop's results.
using Dash.Model.Sampling;

namespace Dash.Model.Tests.Sampling;

public sealed class DecodeLoopSpecs
{
    private static SamplingScenario Scenario(string prefix) => SamplerRecording.Scenarios.Single(s => s.Name.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void Should_prefill_each_prompt_of_a_group_once()
    {
        using var model = TinyModels.Create(3);
        var sampler = new Sampler(model);
        int[] a = [1, 5, 6], b = [1, 7];
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 4 };

        var results = sampler.Sample([a, a, a, [.. b], [.. b], a], options, null);

        Assert.Equal(3, sampler.PrefilledRows);   // a, b, a: runs of equal prompts share one prefill
        Assert.Equal(6, results.Count);
        Assert.Equal(results[0].TokenIds, results[5].TokenIds);
        Assert.Equal(sampler.Sample([b], options, null)[0].TokenIds, results[3].TokenIds);
    }

    [Fact]
    public void Should_give_the_recorded_greedy_tokens_when_state_stays_on_the_device()
    {
        var scenario = Scenario("stories260K greedy");

        var actual = SamplerRecording.Run(scenario, m => new Sampler(m, DecodeLoop.Device));

        SamplerEquivalenceSpecs.AssertSame(SamplerRecording.Load()[scenario.Name], actual);
    }

    [Theory]
    [InlineData("tiny-qwen2")]
    [InlineData("stories260K groups of 3")]
    public void Should_draw_the_same_tokens_whenever_the_device_loop_checks_for_finished_rows(string prefix)
    {
        var scenario = Scenario(prefix);

        var everyStep = SamplerRecording.Run(scenario, m => new Sampler(m, DecodeLoop.Device) { CheckInterval = 1 });
        var every8 = SamplerRecording.Run(scenario, m => new Sampler(m, DecodeLoop.Device));
        var never = SamplerRecording.Run(scenario, m => new Sampler(m, DecodeLoop.Device) { CheckInterval = 1000 });

        Assert.Contains(everyStep, c => c.FinishReason != "Length" && c.TokenIds.Length < scenario.Options.MaxNewTokens);
        SamplerEquivalenceSpecs.AssertSame(everyStep, every8);
        SamplerEquivalenceSpecs.AssertSame(everyStep, never);
    }
}
