// A start that is refused (changed configuration, bad model dir or data) does no work and leaves the runs folder as it was.
using System.Diagnostics;

namespace Dash.Host.Tests.Runs;

public sealed class ValidateFirstSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();
    private readonly List<string> _cleanup = [];

    public void Dispose()
    {
        _runs.Dispose();
        foreach (var dir in _cleanup) Directory.Delete(dir, recursive: true);
    }

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

    [Fact]
    public void Should_refuse_to_train_a_copied_run_folder_under_its_new_name_over_its_checkpoints()
    {
        Assert.Equal(0, _runs.Train("original", 2).ExitCode);
        CopyFolder(_runs.Run("original"), _runs.Run("copy"));
        var before = Tree();

        var refused = _runs.Train("copy", 2);

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("holds run original, not copy", line, StringComparison.Ordinal);
        Assert.Contains("new --run-id", line, StringComparison.Ordinal);
        Assert.Equal(before, Tree());
    }

    [Fact]
    public void Should_refuse_to_train_again_from_step_0_over_checkpoints_whose_journal_is_gone()
    {
        Assert.Equal(0, _runs.Train("orphan", 2).ExitCode);
        foreach (var f in Directory.GetFiles(_runs.Run("orphan"), "journal.db*")) File.Delete(f);
        var before = Tree();

        var refused = _runs.Train("orphan", 2);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("holds checkpoints", Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal(before, Tree());
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
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

    [Theory]
    [InlineData("truncated", "model.safetensors")]
    [InlineData("missing-tensor", "model.norm.weight")]
    [InlineData("bad-config", "config.json")]
    public void Should_refuse_damaged_weights_of_a_model_dir_before_creating_the_run(string damage, string named)
    {
        var model = DamagedModel(damage);

        var refused = _runs.Train("ghost", 1, warmup: 0, $"model.dir={model}");

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("intact", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_runs.Dir));
    }

    [Fact]
    public void Should_leave_an_existing_run_untouched_when_its_model_dir_is_damaged()
    {
        var model = DamagedModel("none");
        Assert.Equal(0, _runs.Train("kept", 1, warmup: 0, $"model.dir={model}").ExitCode);
        var before = Tree();
        Truncate(Path.Combine(model, "model.safetensors"));

        var refused = _runs.Train("kept", 2, warmup: 0, $"model.dir={model}");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("model.safetensors", Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal(before, Tree());
    }

    [Fact]
    public void Should_refuse_prompt_plus_completion_beyond_the_models_positions_before_creating_the_run()
    {
        var model = DamagedModel("none"); // max_position_embeddings 512

        var refused = _runs.Train("long", 1, warmup: 0, $"model.dir={model}", "task.max-prompt-tokens=96", "sampling.max-new-tokens=500");

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("dash.task.max-prompt-tokens = 96 plus dash.sampling.max-new-tokens = 500 is 596", line, StringComparison.Ordinal);
        Assert.Contains("max_position_embeddings", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_runs.Dir));
    }

    [Fact]
    public void Should_refuse_a_tokenizer_with_ids_the_model_has_no_embedding_for_before_creating_the_run()
    {
        var model = DamagedModel("big-tokenizer");

        var refused = _runs.Train("ghost", 1, warmup: 0, $"model.dir={model}");

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"vocab_size\" = 512", line, StringComparison.Ordinal);
        Assert.Contains("ids up to 603", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_runs.Dir));
    }

    [Fact]
    public void Should_refuse_to_resume_from_checkpoints_of_another_architecture_even_with_allow_config_change()
    {
        Assert.Equal(0, _runs.Train("arch", 1, warmup: 0, $"model.dir={DamagedModel("none")}").ExitCode);
        // A valid model of another shape: the built-in tiny architecture (hidden size 128) where the checkpoints have 64.
        var other = Directory.CreateDirectory(_runs.Dir + "-model-tiny").FullName;
        _cleanup.Add(other);
        using (var tiny = new Dash.Model.Transformer.CausalLM(Dash.Model.Config.ModelConfig.Tiny(Dash.Model.Tokenizers.CharTokenizer.Default.VocabSize)))
        {
            using var generator = new TorchSharp.torch.Generator(1);
            tiny.InitializeWeights(generator);
            Dash.Model.Checkpoints.ModelDirectory.Save(tiny, other);
        }
        Dash.Model.Tokenizers.CharTokenizer.Default.Save(Path.Combine(other, Dash.Model.Tokenizers.CharTokenizer.FileName));
        var before = Tree();

        var refused = CliHarness.Run([.. _runs.Args("arch", 2, 0, $"model.dir={other}"), "--allow-config-change"]);

        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("another architecture than run arch's checkpoints (hidden_size 128 against 64", line, StringComparison.Ordinal);
        Assert.Equal(before, Tree());
    }

    /// <summary>A copy of stories260K (with the character tokenizer), outside the runs folder, damaged as named.</summary>
    private string DamagedModel(string damage)
    {
        var dir = Directory.CreateDirectory(_runs.Dir + "-model-" + damage).FullName;
        _cleanup.Add(dir);
        foreach (var f in Directory.GetFiles(Dash.Testing.SharedData.File("models/stories260K")))
        {
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
            File.SetAttributes(Path.Combine(dir, Path.GetFileName(f)), FileAttributes.Normal);
        }
        Dash.Model.Tokenizers.CharTokenizer.Default.Save(Path.Combine(dir, Dash.Model.Tokenizers.CharTokenizer.FileName));
        var weights = Path.Combine(dir, "model.safetensors");
        switch (damage)
        {
            case "truncated":
                Truncate(weights);
                break;
            case "missing-tensor": // Same header length, one name changed: the file is valid safetensors but lacks a weight.
                var bytes = File.ReadAllBytes(weights);
                var at = System.Text.Encoding.ASCII.GetString(bytes).IndexOf("model.norm.weight", StringComparison.Ordinal);
                bytes[at + "model.norm.w".Length] = (byte)'x';
                File.WriteAllBytes(weights, bytes);
                break;
            case "big-tokenizer": // 4 special tokens and 600 characters: ids up to 603, for a model of 512 embedding rows
                var characters = new string([.. Enumerable.Range(0x100, 600).Select(c => (char)c)]);
                File.WriteAllText(Path.Combine(dir, Dash.Model.Tokenizers.CharTokenizer.FileName),
                    new System.Text.Json.Nodes.JsonObject { ["type"] = "dash-char", ["version"] = 1, ["characters"] = characters }.ToJsonString());
                break;
            case "bad-config":
                var config = Path.Combine(dir, "config.json");
                File.WriteAllText(config, File.ReadAllText(config).Replace("\"hidden_size\": 64", "\"hidden_size\": 96", StringComparison.Ordinal));
                break;
        }
        return dir;
    }

    private static void Truncate(string file)
    {
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
    }
}
