// dash eval scores whole sets and says so; dash grade reports the training reward; dash generate prints log-probs.
using System.Text;
using System.Text.Json;
using Dash.Testing;

namespace Dash.Host.Tests;

public sealed class EvalCliSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A real (tiny) model directory: stories260K's weights with the character tokenizer.
    private string Model()
    {
        var dir = Path.Combine(_dir, "model");
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(SharedData.File("models/stories260K"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
        Dash.Model.Tokenizers.CharTokenizer.Default.Save(Path.Combine(dir, Dash.Model.Tokenizers.CharTokenizer.FileName));
        return dir;
    }

    private static JsonElement Summary(CliResult r)
    {
        Assert.True(r.ExitCode == 0, r.Err);
        using var json = JsonDocument.Parse(r.Out);
        return json.RootElement.Clone();
    }

    [Fact]
    public void Should_score_every_row_of_a_JSONL_file_and_write_readable_rows()
    {
        var file = Path.Combine(_dir, "sixty.jsonl");
        File.WriteAllLines(file, Enumerable.Range(1, 60).Select(i => $"{{\"question\": \"What is {i}+{i}? Café\", \"answer\": \"{2 * i}\"}}"));
        var rows = Path.Combine(_dir, "rows.jsonl");

        var text = CliHarness.Run("eval", "--model", Model(), "--data", file, "--max-new-tokens", "2", "-o", rows);
        var json = Summary(CliHarness.Run("eval", "--model", Model(), "--data", file, "--max-new-tokens", "2", "--json"));

        Assert.True(text.ExitCode == 0, text.Err);
        Assert.Contains("60 problems", text.Out, StringComparison.Ordinal);
        Assert.Contains("all 60 rows", text.Out, StringComparison.Ordinal);
        Assert.Contains("greedy pass@1", text.Out, StringComparison.Ordinal);
        Assert.Equal(60, json.GetProperty("n").GetInt32());
        var lines = File.ReadAllLines(rows, Encoding.UTF8);
        Assert.Equal(60, lines.Length);
        Assert.DoesNotContain("\\u", lines[0], StringComparison.Ordinal);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("What is 1+1? Café", first.RootElement.GetProperty("question").GetString());
        foreach (var field in new[] { "gold", "completion", "extracted", "verdict", "reason", "sampled_correct", "k", "n" })
            Assert.True(first.RootElement.TryGetProperty(field, out _), $"no {field} in {lines[0]}");
    }

    [Fact]
    public void Should_score_all_500_MATH500_problems_unless_limited_and_say_so()
    {
        var data = Path.GetDirectoryName(Path.GetDirectoryName(SharedData.File("math500/test.jsonl")))!;

        // The tiny model's 512 positions: prompts keep their last 64 characters.
        string[] tiny = ["--model", Model(), "--data", "math500", "--data-dir", data, "--max-new-tokens", "1", "--batch-size", "100", "--set", "task.max-prompt-tokens=64"];

        var run = CliHarness.Run(["eval", .. tiny, "--json"]);
        var all = Summary(run);
        var limited = CliHarness.Run(["eval", .. tiny, "--limit", "7"]);

        // The cut prompts are scored, and the user is told how many lost their start.
        Assert.Matches(@"dash: warning: \d+ of 500 problems have prompts longer than dash.task.max-prompt-tokens = 64 allows", run.Err);
        Assert.Equal(500, all.GetProperty("n").GetInt32());
        Assert.Equal("math500", all.GetProperty("set").GetString());
        Assert.True(all.GetProperty("by_level").EnumerateObject().Count() >= 5);
        Assert.True(limited.ExitCode == 0, limited.Err);
        Assert.Contains("7 problems", limited.Out, StringComparison.Ordinal);
        Assert.Contains("the first 7 of 500 (--limit 7)", limited.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_score_the_built_in_tasks_held_out_set_of_the_configured_size()
    {
        var json = Summary(CliHarness.Run("eval", "--model", Model(), "--data", "arithmetic", "--max-new-tokens", "1", "--batch-size", "100", "--json"));

        Assert.Equal(600, json.GetProperty("n").GetInt32()); // dash.run.eval-problems, what training evaluates on
    }

    [Fact]
    public void Should_evaluate_GSM8K_test_without_its_train_split_and_name_the_flag_when_data_is_missing()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(Path.Combine(data, "gsm8k"));
        File.WriteAllLines(Path.Combine(data, "gsm8k", "test.jsonl"), File.ReadLines(SharedData.File("gsm8k/test.jsonl")).Take(5));

        var ok = Summary(CliHarness.Run("eval", "--model", Model(), "--data", "gsm8k", "--data-dir", data, "--max-new-tokens", "1", "--json"));
        var missing = CliHarness.Run("eval", "--model", Model(), "--data", "math500", "--data-dir", data, "--max-new-tokens", "1");

        Assert.Equal(5, ok.GetProperty("n").GetInt32());
        Assert.Equal("last \\boxed{} or #### N", ok.GetProperty("protocol").GetProperty("answer_rule").GetString());
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--data-dir", missing.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("dash.task.data-dir", missing.Err, StringComparison.Ordinal);
        Assert.Single(missing.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Should_state_the_sampled_protocol_in_the_header()
    {
        var r = CliHarness.Run("eval", "--model", Model(), "--data", "arithmetic", "--limit", "4", "--k", "2", "--max-new-tokens", "3", "--temperature", "0.7", "--seed", "5");

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("4 problems", r.Out, StringComparison.Ordinal);
        Assert.Contains("sampled pass@2: 2 samples per problem, temperature 0.7, top-p 1, top-k 0, seed 5, max 3 new tokens", r.Out, StringComparison.Ordinal);
        Assert.Contains("answer read from: last \\boxed{}", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_change_only_the_key_a_set_names_of_evals_own_defaults()
    {
        // hocon/eval.conf: batch 32, temperature 0.6, top-k 0; the training defaults are batch 128, temperature 0.9, top-k 50.
        var r = CliHarness.Run("eval", "--model", Model(), "--data", "arithmetic", "--limit", "4", "--k", "2", "--max-new-tokens", "3",
            "--set", "sampling.top-k=5");

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("batch 32", r.Out, StringComparison.Ordinal);
        Assert.Contains("temperature 0.6, top-p 1, top-k 5, seed 1, max 3 new tokens", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_warn_that_pass_at_k_at_temperature_0_is_greedy_pass_at_1()
    {
        var r = CliHarness.Run("eval", "--model", Model(), "--data", "arithmetic", "--limit", "2", "--k", "2", "--max-new-tokens", "2", "--temperature", "0");

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("dash: warning: --k 2 at temperature 0 draws 2 identical greedy completions", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("42", "I think it is 43. Or maybe 42", false)]
    [InlineData("42", "6*7 = 42", false)]
    [InlineData("42", "42", false)]
    [InlineData("42", "I think it is 43. Or maybe 42, so \\boxed{42}", true)]
    [InlineData("\\pi", "\\boxed{3.14}", false)]
    [InlineData("\\frac{1}{3}", "\\boxed{0.333}", false)]
    [InlineData("\\frac{1}{2}", "\\boxed{0.5}", true)]
    public void Should_grade_as_the_training_reward_by_default(string gold, string predicted, bool rewarded)
    {
        var r = CliHarness.Run("grade", "--gold", gold, "--predicted", predicted);

        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(rewarded, json.RootElement.GetProperty("correct").GetBoolean());
        Assert.Equal(rewarded ? 1.0 : 0.0, json.RootElement.GetProperty("reward").GetDouble());
    }

    [Fact]
    public void Should_grade_with_a_tasks_format_or_the_lenient_extraction_when_asked()
    {
        var hashes = CliHarness.Run("grade", "--gold", "42", "--predicted", "6*7=42\n#### 42", "--task", "gsm8k");
        var hashesForMath = CliHarness.Run("grade", "--gold", "42", "--predicted", "6*7=42\n#### 42", "--task", "math500");
        var lenient = CliHarness.Run("grade", "--gold", "42", "--predicted", "I think it is 43. Or maybe 42", "--lenient");

        Assert.True(JsonDocument.Parse(hashes.Out).RootElement.GetProperty("correct").GetBoolean(), hashes.Out + hashes.Err);
        Assert.False(JsonDocument.Parse(hashesForMath.Out).RootElement.GetProperty("correct").GetBoolean());
        using var json = JsonDocument.Parse(lenient.Out);
        Assert.True(json.RootElement.GetProperty("correct").GetBoolean());
        Assert.Equal("LastNumber", json.RootElement.GetProperty("rule").GetString());
    }

    [Fact]
    public void Should_print_per_token_log_probs_when_generating()
    {
        var r = CliHarness.Run("generate", "--model", Model(), "--prompt", "Once", "--max-new-tokens", "6", "--temperature", "0.8", "--seed", "3");

        Assert.True(r.ExitCode == 0, r.Err);
        using var json = JsonDocument.Parse(r.Out);
        var ids = json.RootElement.GetProperty("completion_ids").GetArrayLength();
        var logProbs = json.RootElement.GetProperty("log_probs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(ids, logProbs.Length);
        Assert.All(logProbs, l => Assert.True(l <= 0 && double.IsFinite(l), $"log-prob {l}"));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    public void Should_refuse_an_empty_or_invalid_UTF8_data_file_in_one_line_naming_it(string command)
    {
        var empty = Path.Combine(_dir, "empty.jsonl");
        File.WriteAllText(empty, "");
        var latin1 = Path.Combine(_dir, "latin1.jsonl");
        File.WriteAllBytes(latin1, [.. Encoding.UTF8.GetBytes("{\"question\": \"a\", \"answer\": \"1\"}\n"), .. Encoding.Latin1.GetBytes("{\"question\": \"caf\u00e9\", \"answer\": \"1\"}\n")]);
        string[] Args(string file) => command == "train"
            ? ["train", "--runs-dir", Path.Combine(_dir, "runs"), "--set", $"task.name=\"{file}\"", "--set", "model.warmup-steps=0"]
            : ["eval", "--model", Model(), "--data", file];

        var a = CliHarness.Run(Args(empty));
        var b = CliHarness.Run(Args(latin1));

        Assert.Equal((2, 2), (a.ExitCode, b.ExitCode));
        Assert.Equal($"dash: {empty}: the file has no rows; give one JSON object per line", a.Err.Trim());
        Assert.Equal($"dash: {latin1}:2: the line is not valid UTF-8; save the file as UTF-8", b.Err.Trim());
    }
}
