// Upgrading Dash adds settings with defaults: a run recorded by the previous release (whose configuration lacks them)
// resumes with the same settings, a new setting given a non-default value is still a change, and warm-ups keep their names.
using Akka.Actor;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Persistence;

public sealed class ConfigUpgradeSpecs : IDisposable
{
    private readonly RunHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>The configuration text as the previous release recorded it: without the settings added since.</summary>
    private static string AsPreviousRelease(string text) => string.Join("\n", text.Split('\n').Where(line =>
        !line.StartsWith("dash.reward.", StringComparison.Ordinal) && !line.StartsWith("dash.model.dtype ", StringComparison.Ordinal)));

    /// <summary>Runs <paramref name="run"/> to its end in a fresh actor system on the harness's SQLite journal.</summary>
    private List<object> RunToEnd(RunContext run, EffectiveConfig config)
    {
        using var system = ActorSystem.Create("dash", _h.SqliteConfig());
        var seen = RunHarness.Until(RunHarness.Start(system, run, config.Settings, new FakeEngineFactory()), RunHarness.IsEnd);
        RunHarness.Shutdown(system);
        return seen;
    }

    [Fact]
    public void Should_resume_a_run_recorded_without_the_new_settings_without_allow_config_change()
    {
        var first = RunHarness.Settings("run.steps=2");
        var old = AsPreviousRelease(first.Text);
        Assert.DoesNotContain("dash.reward.", old, StringComparison.Ordinal);
        RunToEnd(new RunContext("upgraded", old, _h.Checkpoints("upgraded")), first); // journals RunStarted as the previous release did

        var resumed = RunHarness.Settings("run.steps=3");
        var seen = RunToEnd(new RunContext("upgraded", resumed.Text, _h.Checkpoints("upgraded")), resumed);

        Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Equal([2L], seen.OfType<StepReport>().Select(s => s.Step));
    }

    [Fact]
    public void Should_give_an_unchanged_run_recorded_by_the_previous_release_its_recorded_hash()
    {
        var text = RunHarness.Settings().Text;
        var recorded = new RunStarted("old", AsPreviousRelease(text), new RunContext("old", AsPreviousRelease(text), null).ConfigHash, 1, "0", DateTime.UtcNow);

        Assert.Equal(recorded.ConfigHash, new RunContext("old", text, null).ConfigHashAsRecorded(recorded.ConfigText));
        Assert.Empty(RunDecisions.ChangedKeys(recorded.ConfigText, text));
        Assert.Null(RunDecisions.ConfigRefusal(new RunContext("old", text, null), recorded));
    }

    [Theory]
    [InlineData("reward.last-number=on", "dash.reward.last-number")]
    [InlineData("model.dtype=bfloat16", "dash.model.dtype")]
    public void Should_still_refuse_a_new_setting_given_a_non_default_value(string set, string key)
    {
        var old = AsPreviousRelease(RunHarness.Settings().Text);
        var text = RunHarness.Settings(set).Text;
        var recorded = new RunStarted("old", old, new RunContext("old", old, null).ConfigHash, 1, "0", DateTime.UtcNow);

        Assert.NotEqual(recorded.ConfigHash, new RunContext("old", text, null).ConfigHashAsRecorded(old));
        var refusal = RunDecisions.ConfigRefusal(new RunContext("old", text, null), recorded);
        Assert.NotNull(refusal);
        Assert.Contains($"changed keys: {key}.", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_still_refuse_a_key_the_current_configuration_lacks_or_a_changed_value()
    {
        var text = RunHarness.Settings().Text;
        var withoutTemperature = string.Join("\n", text.Split('\n').Where(l => !l.StartsWith("dash.sampling.temperature ", StringComparison.Ordinal)));

        Assert.Equal(["dash.sampling.temperature"], RunDecisions.ChangedKeys(text, withoutTemperature));
        Assert.Equal(["dash.sampling.temperature"], RunDecisions.ChangedKeys(withoutTemperature, RunHarness.Settings("sampling.temperature=0.5").Text));
    }

    [Fact]
    public void Should_name_a_warm_up_as_the_previous_release_did_while_the_new_settings_keep_their_defaults()
    {
        var text = ConfigLoader.Load().Text;

        Assert.Equal(RunContext.TrainingHash(AsPreviousRelease(text)), RunContext.TrainingHash(text));
        Assert.NotEqual(RunContext.TrainingHash(text), RunContext.TrainingHash(ConfigLoader.Load(sets: ["reward.whole-text=on"]).Text));
    }
}
