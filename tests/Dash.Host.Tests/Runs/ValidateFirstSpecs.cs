// A start that is refused (changed configuration, bad model dir or data) does no work and leaves the runs folder as it was.
using System.Diagnostics;

namespace Dash.Host.Tests.Runs;

public sealed class ValidateFirstSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    /// <summary>Every file under the runs folder with its bytes' SHA-256 (but SQLite's shared-memory index, which any reader rewrites).</summary>
    private string[] Tree() => [.. Directory.GetFiles(_runs.Dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
        .Select(f => Path.GetRelativePath(_runs.Dir, f) + "=" + Dash.Actors.Persistence.CheckpointStore.Sha256Of(f))];

    [Fact]
    public void Should_refuse_a_changed_configuration_before_the_warm_up_and_leave_the_run_folder_untouched()
    {
        Assert.Equal(0, _runs.Train("kept", 2, warmup: 2).ExitCode);
        var before = Tree();

        var refused = _runs.Train("kept", 2, warmup: 2, "sampling.group-size=8");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("dash.sampling.group-size", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Warm-up", refused.Out, StringComparison.Ordinal);
        Assert.Equal(before, Tree());
    }

    [Theory]
    [InlineData("model.dir=/nonexistent/model")]
    [InlineData("task.name=/nonexistent/train.jsonl")]
    public void Should_refuse_a_bad_model_or_task_before_creating_the_run(string set)
    {
        var clock = Stopwatch.StartNew();
        var refused = _runs.Train("ghost", 2, warmup: 2, set);

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("/nonexistent", line, StringComparison.Ordinal);
        Assert.DoesNotContain("intact", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_runs.Dir));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Should_refuse_a_damaged_model_dir_that_dash_wrote_naming_the_file()
    {
        Assert.Equal(0, _runs.Train("source", 1).ExitCode);
        var checkpoint = _runs.Checkpoints("source")[^1];
        var file = TinyRuns.Flip(checkpoint);

        var refused = _runs.Train("from-damaged", 1, warmup: 0, $"model.dir={checkpoint}");

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Path.GetFileName(file), line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_runs.Run("from-damaged")));
    }
}
