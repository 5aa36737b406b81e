// Specifies that built-in-task keys a user sets for a dataset task are named in a warning instead of ignored silently.
using Dash.Actors.Settings;
using Dash.Host.Training;

namespace Dash.Host.Tests;

public sealed class IgnoredTaskSettingsSpecs
{
    [Fact]
    public void Should_name_each_built_in_task_key_a_dataset_run_does_not_read()
    {
        var config = ConfigLoader.Load(sets: ["dash.task.name=math", "dash.task.levels=[4, 5]", "dash.task.terse-fraction=0.2"]);

        var warnings = TrainingSession.IgnoredTaskSettings(config).ToArray();

        Assert.Equal(2, warnings.Length);
        Assert.Equal("dash.task.levels (--set) shapes only the built-in arithmetic task; task math does not read it.", warnings[0]);
        Assert.StartsWith("dash.task.terse-fraction (--set)", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_nothing_for_the_built_in_task_or_for_defaults_and_presets()
    {
        Assert.Empty(TrainingSession.IgnoredTaskSettings(ConfigLoader.Load(sets: ["dash.task.levels=[4, 5]"])));
        Assert.Empty(TrainingSession.IgnoredTaskSettings(ConfigLoader.Load(sets: ["dash.task.name=gsm8k"])));
        Assert.Empty(TrainingSession.IgnoredTaskSettings(ConfigLoader.Load(sets: ["dash.task.name=gsm8k"], algorithm: "sft")));
    }
}
