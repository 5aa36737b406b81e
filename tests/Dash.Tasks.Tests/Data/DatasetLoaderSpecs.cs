// Specifications of the dataset loaders: real row counts, answers, strict file:line errors and lenient skipping.
using Dash.Tasks.Data;
using Dash.Testing;

namespace Dash.Tasks.Tests.Data;

public sealed class DatasetLoaderSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-tasks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("math/train.jsonl", 7500)]
    [InlineData("math/test.jsonl", 5000)]
    public void Should_load_every_MATH_row_with_its_last_boxed_answer(string file, int rows)
    {
        var result = Datasets.LoadMath(SharedData.File(file));

        Assert.Equal(rows, result.Problems.Count);
        Assert.Equal(0, result.Skipped);
        // Two MATH train solutions really end in an empty \boxed{} (e.g. number_theory/7115); they load as they are.
        Assert.True(result.Problems.Count(p => string.IsNullOrWhiteSpace(p.GoldAnswer)) <= 2);
        Assert.All(result.Problems, p => Assert.StartsWith("Level", p.Level ?? "Level ?", StringComparison.Ordinal));
        Assert.Equal(rows, result.Problems.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void Should_load_MATH500_with_its_answer_field()
    {
        var problems = Datasets.LoadMath500(SharedData.File("math500/test.jsonl")).Problems;

        Assert.Equal(500, problems.Count);
        Assert.Equal("\\left( 3, \\frac{\\pi}{2} \\right)", problems[0].GoldAnswer);
        Assert.Equal("test/precalculus/807.json", problems[0].Id);
        Assert.Equal("Precalculus", problems[0].Subject);
    }

    [Theory]
    [InlineData("gsm8k/train.jsonl", 7473)]
    [InlineData("gsm8k/test.jsonl", 1319)]
    public void Should_load_GSM8K_with_the_number_after_the_hashes(string file, int rows)
    {
        var problems = Datasets.LoadGsm8k(SharedData.File(file)).Problems;

        Assert.Equal(rows, problems.Count);
        Assert.All(problems, p => Assert.Matches(@"^-?\d+(\.\d+)?$", p.GoldAnswer));
    }

    [Fact]
    public void Should_serve_MATH_train_for_training_and_MATH500_held_out()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(SharedData.File("math500/test.jsonl")))!;

        var source = Datasets.MathSource(root, seed: 1);
        var heldOut = source.HeldOut.Select(p => p.Question).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(500, source.HeldOut.Count);
        Assert.Equal(0, Enumerable.Range(0, 7500).Count(i => heldOut.Contains(source.Train(i).Question)));
        Assert.Equal(source.Train(42), Datasets.MathSource(root, seed: 1).Train(42));
    }

    [Fact]
    public void Should_name_file_and_line_of_a_malformed_row()
    {
        var path = Write("bad.jsonl", "{\"question\": \"q1\", \"answer\": \"#### 1\"}", "", "{\"question\": \"q2\", \"answer\": \"no hashes\"}");

        var error = Assert.Throws<DataFormatException>(() => Datasets.LoadGsm8k(path));

        Assert.Equal(path, error.File);
        Assert.Equal(3, error.Line);
        Assert.StartsWith($"{path}:3: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("####", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_invalid_json_and_missing_fields()
    {
        var badJson = Write("json.jsonl", "{\"problem\": ");
        var missing = Write("missing.jsonl", "{\"problem\": \"p\", \"solution\": \"no box\"}");

        var json = Assert.Throws<DataFormatException>(() => Datasets.LoadMath(badJson));
        var box = Assert.Throws<DataFormatException>(() => Datasets.LoadMath(missing));

        Assert.Contains("not valid JSON", json.Message, StringComparison.Ordinal);
        Assert.Contains("\\boxed{}", box.Message, StringComparison.Ordinal);
        Assert.Equal(1, box.Line);
    }

    [Fact]
    public void Should_skip_and_count_malformed_rows_when_lenient()
    {
        var path = Write("mixed.jsonl", "{\"q\": \"a\", \"a\": \"1\"}", "not json", "{\"q\": \"b\"}", "{\"q\": \"c\", \"a\": \"3\", \"id\": \"c3\"}");
        var mapping = new FieldMapping("q", "a") { IdFields = ["id"] };

        var result = JsonlLoader.Load(path, mapping, lenient: true);

        Assert.Equal(2, result.Problems.Count);
        Assert.Equal(2, result.Skipped);
        Assert.Contains(result.SkipReasons, r => r.StartsWith($"{path}:2:", StringComparison.Ordinal));
        Assert.Equal("c3", result.Problems[1].Id);
        Assert.Equal("mixed:1", result.Problems[0].Id);
    }

    [Fact]
    public void Should_map_generic_fields_including_numbers()
    {
        var path = Write("generic.jsonl", "{\"prompt\": \"2+2?\", \"target\": 4, \"steps\": \"2+2=4\", \"uid\": 17}");
        var mapping = new FieldMapping("prompt", "target") { SolutionField = "steps", IdFields = ["uid"] };

        var problem = Assert.Single(JsonlLoader.Load(path, mapping).Problems);

        Assert.Equal(new Problem("17", "2+2?", "4", "2+2=4"), problem);
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
