// "off" is one word for every key that can be switched off; the number it stands for keeps working and is what a run
// records, so `off` and the number are the same run (same configuration text and hashes).
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Settings;

public sealed class OffValueSpecs
{
    [Theory]
    [InlineData("advantage.filter-tau", "-1")]
    [InlineData("sampling.top-k", "0")]
    [InlineData("sampling.top-p", "1.0")]
    [InlineData("learning.max-grad-norm", "0")]
    [InlineData("learning.kl-beta", "0")]
    [InlineData("learning.micro-batch-tokens", "0")]
    [InlineData("learning.lr-warmup-steps", "0")]
    [InlineData("run.eval-every", "0")]
    [InlineData("model.warmup-steps", "0")]
    [InlineData("verifier.format-reward", "0")]
    [InlineData("coordinator.snapshot-every", "0")]
    public void Should_accept_off_as_the_number_the_key_names(string key, string number)
    {
        var off = ConfigLoader.Load(sets: [$"{key}=off"]);
        var numeric = ConfigLoader.Load(sets: [$"{key}={number}"]);

        Assert.Equal(numeric.Text, off.Text);
        Assert.Equal(RunContext.TrainingHash(numeric.Text), RunContext.TrainingHash(off.Text));
    }

    [Fact]
    public void Should_switch_off_filtering_and_top_k_with_off_as_with_the_old_numbers()
    {
        var s = ConfigLoader.Load(sets: ["advantage.filter-tau=off", "sampling.top-k=OFF"]).Settings;
        Assert.Equal((-1f, 0), (s.Advantage.FilterTau, s.Sampling.TopK));
        Assert.Equal(-1f, ConfigLoader.Load(algorithm: "grpo").Settings.Advantage.FilterTau);
    }

    [Fact]
    public void Should_say_how_to_switch_a_key_off_when_its_value_is_not_understood()
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["sampling.top-k=none"]));
        Assert.StartsWith("dash.sampling.top-k = \"none\" is not an integer (write off, or 0, to switch it off)", e.Message, StringComparison.Ordinal);
    }
}
