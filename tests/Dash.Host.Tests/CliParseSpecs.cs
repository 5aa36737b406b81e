// Command-line and HOCON mistakes of every dash command: one line naming the option (or file:line:column) and what is
// expected, exit code 2, never the whole help, never a .NET type name; --help keeps working.
namespace Dash.Host.Tests;

public sealed class CliParseSpecs
{
    [Theory]
    [InlineData("dash train: unknown option --bogus-flag.", "train", "--bogus-flag")]
    [InlineData("dash train: unknown option --step. Did you mean --steps?", "train", "--step", "3")]
    [InlineData("dash sft: unknown option --run-di. Did you mean --run-id?", "sft", "--run-di", "x")]
    [InlineData("dash eval: unknown option --modle. Did you mean --model?", "eval", "--modle", "m")]
    [InlineData("dash generate: unknown option --promt. Did you mean --prompt?", "generate", "--promt", "hi")]
    [InlineData("dash grade: unknown option --gol. Did you mean --gold?", "grade", "--gol", "1", "--predicted", "1")]
    [InlineData("dash tokenize: unknown option --txt. Did you mean --text?", "tokenize", "--txt", "hi")]
    [InlineData("dash runs list: unknown option --runs-dri. Did you mean --runs-dir?", "runs", "list", "--runs-dri", "x")]
    [InlineData("dash config show: unknown option --sett. Did you mean --set?", "config", "show", "--sett", "a=1")]
    [InlineData("dash node: unknown option --rol. Did you mean --role?", "node", "--rol", "sampler")]
    [InlineData("dash simulate: unknown option --sampler. Did you mean --samplers?", "simulate", "--sampler", "4")]
    [InlineData("dash bench compare: --repeats expects a whole number, not 'x'.", "bench", "compare", "--repeats", "x")]
    [InlineData("dash bench: choose a command: compare, overhead, plot, findings.", "bench")]
    [InlineData("dash: unknown command 'traim'. Did you mean train?", "traim")]
    [InlineData("dash train: --steps expects a whole number, not 'abc'.", "train", "--steps", "abc")]
    [InlineData("dash node: --port expects a whole number, not 'x'.", "node", "--role", "sampler", "--port", "x")]
    [InlineData("dash simulate: --steps expects a whole number, not 'many'.", "simulate", "--steps", "many")]
    [InlineData("dash generate: --max-new-tokens expects a whole number, not '1.5'.", "generate", "--model", "m", "--prompt", "p", "--max-new-tokens", "1.5")]
    [InlineData("dash train: --steps needs a value: a whole number.", "train", "--steps")]
    [InlineData("dash train: --steps is given 2 times; give it once.", "train", "--steps", "3", "--steps", "4")]
    [InlineData("dash train: --allow-config-change is given 2 times; give it once.", "train", "--allow-config-change", "--allow-config-change")]
    [InlineData("dash runs list: --runs-dir is given 2 times; give it once.", "runs", "list", "--runs-dir", "a", "--runs-dir", "b")]
    [InlineData("dash grade: --predicted is required", "grade", "--gold", "1")]
    [InlineData("dash runs show: missing <run-id>", "runs", "show")]
    [InlineData("dash runs: choose a command: list, show.", "runs")]
    public void Should_report_a_parse_error_in_one_line_with_exit_code_2(string message, params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith(message, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Equal("", r.Out);
        Assert.DoesNotContain("System.", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train", "--bogus-flag", "--help")]
    [InlineData("train", "--steps", "abc", "--help")]
    [InlineData("bench", "--help")]
    [InlineData("simulate", "--help")]
    public void Should_still_show_the_help_when_asked_even_with_a_mistake(params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Out, StringComparison.Ordinal);
        Assert.Equal("", r.Err);
    }

    [Theory]
    [InlineData("dash.sampling {\n  temperature = 0.7\n  top-k = [1,\n}\n", "4:1: HOCON syntax error: '}' inside the '[' opened at line 3, column 11")]
    [InlineData("dash.run.steps = 3 }\ndash.run.seed = 2\n", "1:20: HOCON syntax error: '}' without a matching '{'")]
    [InlineData("dash.run {\n  steps = 3\n", "1:10: HOCON syntax error: this '{' is never closed")]
    [InlineData("dash.run.steps = 3\ndash.run.seed = 1 = 2\n", "2:19: HOCON syntax error: unexpected '=' after the value of dash.run.seed")]
    [InlineData("dash.run.steps = 3\ndash.run.id = \"abc\n", "2:15: HOCON syntax error: this quoted string is never closed")]
    [InlineData("dash.run.steps 3 ]\n", "1:18: HOCON syntax error: unexpected ']' after the key dash.run.steps 3")]
    [InlineData("# comment\ndash.run.seed =\n", "2:15: HOCON syntax error: dash.run.seed has no value after '='")]
    public void Should_name_file_line_and_column_of_a_hocon_syntax_error(string text, string where)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("dash-hocon-").FullName, "bad.conf");
        File.WriteAllText(file, text);

        var r = CliHarness.Run("config", "show", "--config", file);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"dash: {file}:{where}", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.DoesNotContain("is not a Dash setting", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_accept_well_formed_hocon_of_every_shape()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("dash-hocon-").FullName, "good.conf");
        File.WriteAllText(file, "// a comment\ndash {\n  run { steps = 7, seed = 3 }\n  sampling.temperature: 0.5 # inline\n" +
                                "  task.levels = [1,\n    2]\n  run.id = \"a b\"\n}\n");

        var r = CliHarness.Run("config", "show", "--config", file);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("dash.run.steps = \"7\"", r.Out, StringComparison.Ordinal);
        Assert.Contains("dash.run.id = \"a b\"", r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--set \"sampling={temperature=1\": HOCON syntax error at column 10: this '{' is never closed", "config", "show", "--set", "sampling={temperature=1")]
    [InlineData("--set \"task.levels=[1,2\": HOCON syntax error at column 13: this '[' (the value of the value) is never closed", "config", "show", "--set", "task.levels=[1,2")]
    [InlineData("--set \"cluster.weight-chunk={\": HOCON syntax error at column 22", "node", "--role", "sampler", "--set", "cluster.weight-chunk={")]
    [InlineData("--set \"run.steps=3}\": HOCON syntax error at column 12: unexpected '}' after the value", "config", "show", "--set", "run.steps=3}")]
    [InlineData("dash.run.steps = \"3,4\" is not an integer", "config", "show", "--set", "run.steps=3,4")]
    public void Should_name_the_column_of_a_hocon_syntax_error_in_a_set_value(string message, params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Should_name_file_line_and_column_in_a_cluster_config_and_a_cost_file()
    {
        var dir = Directory.CreateTempSubdirectory("dash-hocon-").FullName;
        var bad = Path.Combine(dir, "bad.conf");
        File.WriteAllText(bad, "dash.cluster {\n  weight-chunk = 1MiB\n");

        var node = CliHarness.Run("node", "--role", "sampler", "--cluster-config", bad);
        var simulate = CliHarness.Run("simulate", "--cost-file", bad);

        Assert.Equal(2, node.ExitCode);
        Assert.StartsWith($"dash: {bad}:1:14: HOCON syntax error: this '{{' is never closed", node.Err, StringComparison.Ordinal);
        Assert.Equal(2, simulate.ExitCode);
        Assert.StartsWith($"dash: {bad}:1:14: HOCON syntax error: this '{{' is never closed", simulate.Err, StringComparison.Ordinal);
    }
}
