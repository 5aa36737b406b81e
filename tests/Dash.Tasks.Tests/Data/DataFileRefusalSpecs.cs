// An empty data file, or one with invalid UTF-8, is refused with one message naming the file (and the line).
using System.Text;
using Dash.Tasks.Data;

namespace Dash.Tasks.Tests.Data;

public sealed class DataFileRefusalSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-datafile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly FieldMapping Mapping = new("question", "answer");

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void Should_refuse_an_empty_file_naming_it(string content)
    {
        var path = Path.Combine(_dir, "empty.jsonl");
        File.WriteAllText(path, content);

        var e = Assert.Throws<DataFormatException>(() => JsonlLoader.Load(path, Mapping));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("no rows", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_invalid_UTF8_naming_the_file_and_the_line()
    {
        var path = Path.Combine(_dir, "latin1.jsonl");
        var good = Encoding.UTF8.GetBytes("{\"question\": \"1+1?\", \"answer\": \"2\"}\n");
        var bad = Encoding.Latin1.GetBytes("{\"question\": \"caf\u00e9?\", \"answer\": \"2\"}\n");
        File.WriteAllBytes(path, [.. good, .. good, .. bad, .. good]);

        var e = Assert.Throws<DataFormatException>(() => JsonlLoader.Load(path, Mapping));

        Assert.StartsWith($"{path}:3: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, e.Line);
    }

    [Theory]
    [InlineData("{\"question\": \"1+1?\", \"answer\": \"\"}", "field \"answer\" is empty")]
    [InlineData("{\"question\": \"1+1?\", \"answer\": \"  \"}", "field \"answer\" is empty")]
    [InlineData("{\"question\": \"\", \"answer\": \"2\"}", "field \"question\" is empty")]
    public void Should_refuse_a_blank_gold_answer_or_question_naming_the_line(string row, string said)
    {
        var path = Path.Combine(_dir, "blank.jsonl");
        File.WriteAllLines(path, ["{\"question\": \"2+2?\", \"answer\": \"4\"}", row]);

        var e = Assert.Throws<DataFormatException>(() => JsonlLoader.Load(path, Mapping));

        Assert.StartsWith($"{path}:2: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(said, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_still_read_a_byte_order_mark_and_crlf_lines()
    {
        var path = Path.Combine(_dir, "bom.jsonl");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"question\": \"caf\u00e9?\", \"answer\": \"2\"}\r\n{\"question\": \"b\", \"answer\": \"3\"}")]);

        var problems = JsonlLoader.Load(path, Mapping).Problems;

        Assert.Equal(["caf\u00e9?", "b"], problems.Select(p => p.Question));
    }

    [Fact]
    public void Should_name_the_dataset_when_its_training_set_is_empty()
    {
        var e = Assert.Throws<ArgumentException>(() => new DatasetTask("tiny.jsonl", [], [], 1));

        Assert.Contains("tiny.jsonl", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", e.Message, StringComparison.Ordinal);
    }
}
