// Evaluation sets are whole test sets, never split; --limit takes the first N rows in file order and says so.
using Dash.Tasks.Arithmetic;
using Dash.Tasks.Data;
using Dash.Testing;

namespace Dash.Tasks.Tests.Data;

public sealed class BenchmarkSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-bench-").FullName;
    private static readonly string DataDir = Path.GetDirectoryName(Path.GetDirectoryName(SharedData.File("math500/test.jsonl")))!;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("math500", 500)]
    [InlineData("gsm8k", 1319)]
    [InlineData("math", 5000)]
    public void Should_load_a_named_test_set_whole(string name, int rows)
    {
        var set = Benchmarks.Load(name, DataDir, new ArithmeticOptions());

        Assert.Equal(rows, set.Problems.Count);
        Assert.Contains($"all {rows} rows", set.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_load_every_row_of_a_JSONL_file_and_take_the_first_rows_when_limited()
    {
        var file = Path.Combine(_dir, "sixty.jsonl");
        File.WriteAllLines(file, Enumerable.Range(1, 60).Select(i => $"{{\"question\": \"q{i}\", \"answer\": \"{i}\", \"level\": \"L{i % 3}\"}}"));

        var set = Benchmarks.Load(file, DataDir, new ArithmeticOptions());
        var first = set.Take(7);

        Assert.Equal(60, set.Problems.Count);
        Assert.Equal(["q1", "q2", "q3", "q4", "q5", "q6", "q7"], first.Problems.Select(p => p.Question));
        Assert.EndsWith("the first 7 of 60 (--limit 7)", first.Source, StringComparison.Ordinal);
        Assert.Equal("L1", set.Problems[0].Level);
        Assert.Same(set, set.Take(0));
    }

    [Fact]
    public void Should_score_the_built_in_tasks_held_out_set_as_training_builds_it()
    {
        var options = new ArithmeticOptions { HeldOutCount = 200, LevelMix = [new LevelWeight(1, 1), new LevelWeight(2, 1)] };

        var set = Benchmarks.Load("arithmetic", DataDir, options);

        Assert.Equal(new ArithmeticTask(options).HeldOut, set.Problems);
        Assert.Equal(200, set.Problems.Count);
    }

    [Fact]
    public void Should_name_the_data_dir_flag_when_a_test_set_is_missing()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Benchmarks.Load("gsm8k", _dir, new ArithmeticOptions()));

        Assert.Contains("--data-dir", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, "gsm8k", "test.jsonl"), e.Message, StringComparison.Ordinal);
    }
}
