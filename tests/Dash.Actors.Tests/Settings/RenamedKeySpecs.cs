// A renamed key: refused with its new name when a user writes it, read under the new name when a run recorded it
// (its journal, its config.conf), so runs started before the rename resume and warm-ups keep their names.
using Akka.Actor;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Settings;

public sealed class RenamedKeySpecs : IDisposable
{
    private readonly RunHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>A configuration as the release before the rename recorded it: the learning-rate warm-up under its old name.</summary>
    private static string AsBeforeTheRename(string text, string value = "0") => string.Join("\n", text.TrimEnd('\n').Split('\n')
        .Select(l => l.StartsWith("dash.learning.lr-warmup-steps ", StringComparison.Ordinal) ? $"dash.learning.warmup-steps = \"{value}\"" : l)
        .Order(StringComparer.Ordinal)) + "\n";

    [Fact]
    public void Should_refuse_the_old_learning_rate_warm_up_key_naming_the_new_one()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("dash-renamed-").FullName, "my.conf");
        File.WriteAllText(file, "dash.learning {\n  warmup-steps = 10\n}\n");

        var set = Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["learning.warmup-steps=10"]));
        var inFile = Assert.Throws<SettingsException>(() => ConfigLoader.Load(files: [file]));

        Assert.StartsWith("dash.learning.warmup-steps (from --set learning.warmup-steps=10) is now dash.learning.lr-warmup-steps", set.Message, StringComparison.Ordinal);
        Assert.EndsWith("write dash.learning.lr-warmup-steps = 10.", set.Message, StringComparison.Ordinal);
        Assert.StartsWith($"dash.learning.warmup-steps (from {file}:2) is now dash.learning.lr-warmup-steps", inFile.Message, StringComparison.Ordinal);
        Assert.Equal(10, ConfigLoader.Load(sets: ["learning.lr-warmup-steps=10"]).Settings.Learning.LrWarmupSteps);
        Assert.Equal(400, ConfigLoader.Load(sets: ["learning.lr-warmup-steps=10"]).Settings.Model.WarmupSteps);
    }

    [Fact]
    public void Should_read_a_run_folders_config_conf_written_with_the_old_key()
    {
        var folder = Directory.CreateTempSubdirectory("dash-old-run-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "checkpoints"));
        var file = Path.Combine(folder, "config.conf");
        File.WriteAllText(file, AsBeforeTheRename(ConfigLoader.Load(sets: ["run.steps=2"]).Text, "3"));

        var config = ConfigLoader.Load(files: [file]);

        Assert.Equal(3, config.Settings.Learning.LrWarmupSteps);
        Assert.Contains("dash.learning.lr-warmup-steps = \"3\"", config.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("dash.learning.warmup-steps", config.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_resume_a_run_recorded_with_the_old_key_without_allow_config_change()
    {
        var first = RunHarness.Settings("run.steps=2");
        RunToEnd(new RunContext("renamed", AsBeforeTheRename(first.Text), _h.Checkpoints("renamed")), first); // journals the old key

        var resumed = RunHarness.Settings("run.steps=3");
        var seen = RunToEnd(new RunContext("renamed", resumed.Text, _h.Checkpoints("renamed")), resumed);

        Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Equal([2L], seen.OfType<StepReport>().Select(s => s.Step));
    }

    [Fact]
    public void Should_still_refuse_a_changed_learning_rate_warm_up_under_its_new_name()
    {
        var text = RunHarness.Settings().Text;
        var old = AsBeforeTheRename(text, "5");
        var recorded = new RunStarted("old", old, new RunContext("old", old, null).ConfigHash, 1, "0", DateTime.UtcNow);

        Assert.Empty(RunDecisions.ChangedKeys(AsBeforeTheRename(text), text));
        Assert.Equal(["dash.learning.lr-warmup-steps"], RunDecisions.ChangedKeys(old, text));
        Assert.Contains("changed keys: dash.learning.lr-warmup-steps.", RunDecisions.ConfigRefusal(new RunContext("old", text, null), recorded),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_a_warm_up_as_before_the_rename()
    {
        var text = ConfigLoader.Load().Text;

        Assert.Equal(RunContext.TrainingHash(AsBeforeTheRename(text)), RunContext.TrainingHash(text));
        Assert.NotEqual(RunContext.TrainingHash(text), RunContext.TrainingHash(ConfigLoader.Load(sets: ["learning.lr-warmup-steps=3"]).Text));
    }

    private List<object> RunToEnd(RunContext run, EffectiveConfig config)
    {
        using var system = ActorSystem.Create("dash", _h.SqliteConfig());
        var seen = RunHarness.Until(RunHarness.Start(system, run, config.Settings, new FakeEngineFactory()), RunHarness.IsEnd);
        RunHarness.Shutdown(system);
        return seen;
    }
}
