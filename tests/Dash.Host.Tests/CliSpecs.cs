// The dash command's help, configuration display, user-error messages, and the grade/tokenize/generate outputs.
using System.Text.Json;
using Dash.Testing;

namespace Dash.Host.Tests;

public sealed class CliSpecs
{
    [Fact]
    public void Should_list_every_command_in_the_help()
    {
        var r = CliHarness.Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var command in new[] { "train", "sft", "eval", "runs", "config", "generate", "grade", "tokenize", "simulate", "node" })
            Assert.Contains(command, r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("sft")]
    [InlineData("eval")]
    [InlineData("grade")]
    [InlineData("tokenize")]
    [InlineData("generate")]
    [InlineData("config", "show")]
    [InlineData("runs", "list")]
    public void Should_give_every_command_help_with_an_example(params string[] command)
    {
        var r = CliHarness.Run([.. command, "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Example", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_show_the_effective_configuration_with_sources()
    {
        var r = CliHarness.Run("config", "show", "--algorithm", "grpo", "--set", "sampling.group-size=8");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("dash.sampling.group-size = \"8\"", StringComparison.Ordinal) && l.EndsWith("# --set", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dash.sampling.preemptive = \"off\"", StringComparison.Ordinal) && l.Contains("preset grpo", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dash.sampling.top-k = \"50\"", StringComparison.Ordinal) && l.Contains("default", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_read_settings_from_a_config_file()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("dash-cfg-").FullName, "my.conf");
        File.WriteAllText(file, "dash.sampling.temperature = 0.7\n");
        var r = CliHarness.Run("config", "show", "--config", file);
        Assert.Contains(r.Out.Split('\n'), l => l.StartsWith("dash.sampling.temperature = \"0.7\"", StringComparison.Ordinal) && l.EndsWith(file, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dash.sampling.group-sise (from --set sampling.group-sise=4) is not a Dash setting. Did you mean dash.sampling.group-size?", "config", "show", "--set", "sampling.group-sise=4")]
    [InlineData("dash.learning.warmup-steps (from --set learning.warmup-steps=10) is now dash.learning.lr-warmup-steps", "config", "show", "--set", "learning.warmup-steps=10")]
    [InlineData("dash.sampling.group-size = \"x\" is not an integer", "config", "show", "--set", "sampling.group-size=x")]
    [InlineData("dash.sampling.top-p = 2 is out of range", "config", "show", "--set", "sampling.top-p=2")]
    [InlineData("Config file /nonexistent.conf does not exist", "config", "show", "--config", "/nonexistent.conf")]
    [InlineData("--model /nonexistent-model: no such directory", "tokenize", "--model", "/nonexistent-model", "--text", "hi")]
    [InlineData("no run 'nope'", "runs", "show", "nope", "--runs-dir", "/tmp")]
    [InlineData("dash.model.device = \"cuda:0\" but CUDA is not available", "train", "--device", "cuda", "--runs-dir", "/tmp/dash-cli-errors")]
    [InlineData("dash.model.device = \"gpu\" is not a device", "train", "--device", "gpu", "--runs-dir", "/tmp/dash-cli-errors")]
    [InlineData("dash.model.dir = \"/nonexistent-model\": no such directory", "train", "--set", "model.dir=/nonexistent-model", "--runs-dir", "/tmp/dash-cli-errors")]
    [InlineData("dash.persistence.postgres.connection-string-file = \"/nonexistent-pg\" does not exist", "train", "--set", "persistence.journal=postgres",
        "--set", "persistence.postgres.connection-string-env=DASH_TEST_UNSET_VARIABLE", "--set", "persistence.postgres.connection-string-file=/nonexistent-pg",
        "--runs-dir", "/tmp/dash-cli-errors")]
    public void Should_explain_a_user_mistake_in_one_line_without_a_stack_trace(string message, params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Should_stop_before_training_when_the_postgres_journal_cannot_be_reached()
    {
        var dir = Directory.CreateTempSubdirectory("dash-cli-pg-").FullName;
        var secret = Path.Combine(dir, "pg.txt");
        File.WriteAllText(secret, "Host=127.0.0.1;Port=1;Database=dash;Username=dash;Password=hunter2;Timeout=3");

        var r = CliHarness.Run("train", "--runs-dir", dir, "--set", "persistence.journal=postgres", "--set", "persistence.postgres.connection-string-env=\"\"",
            "--set", $"persistence.postgres.connection-string-file={secret}");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Cannot reach the PostgreSQL journal (Host=127.0.0.1;Port=1;", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.DoesNotContain("step ", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_print_the_stack_trace_with_verbose()
    {
        var r = CliHarness.Run("config", "show", "--set", "sampling.group-size=x", "--verbose");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("   at ", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\frac{1}{2}", "so the answer is \\boxed{0.5}", true, "0.5")]
    [InlineData("42", "\\boxed{41}", false, "41")]
    public void Should_grade_as_json(string gold, string predicted, bool correct, string extracted)
    {
        var r = CliHarness.Run("grade", "--gold", gold, "--predicted", predicted);
        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(correct, json.RootElement.GetProperty("correct").GetBoolean());
        Assert.Equal(extracted, json.RootElement.GetProperty("extracted").GetString());
        Assert.Equal(correct ? 1.0 : 0.0, json.RootElement.GetProperty("reward").GetDouble());
    }

    [Fact]
    public void Should_tokenize_with_the_qwen_tokenizer_as_json()
    {
        var dir = SharedData.File("tokenizer/qwen2.5");
        var vector = File.ReadLines(SharedData.File("tokenizer/qwen2.5/text_to_ids.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .First(e => e.GetProperty("text").GetString()!.Length > 5);
        var r = CliHarness.Run("tokenize", "--model", dir, "--text", vector.GetProperty("text").GetString()!);
        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(vector.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()), json.RootElement.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()));
    }

    [Fact]
    public void Should_generate_greedily_from_a_real_model_directory()
    {
        var dir = Directory.CreateTempSubdirectory("dash-gen-").FullName;
        foreach (var f in Directory.GetFiles(SharedData.File("models/stories260K"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        Dash.Model.Tokenizers.CharTokenizer.Default.Save(Path.Combine(dir, Dash.Model.Tokenizers.CharTokenizer.FileName));
        var a = CliHarness.Run("generate", "--model", dir, "--prompt", "Once", "--max-new-tokens", "8");
        var b = CliHarness.Run("generate", "--model", dir, "--prompt", "Once", "--max-new-tokens", "8");
        Assert.Equal(0, a.ExitCode);
        using var json = JsonDocument.Parse(a.Out);
        Assert.Equal(8, json.RootElement.GetProperty("completion_ids").GetArrayLength());
        Assert.Equal(a.Out, b.Out);
    }
}
