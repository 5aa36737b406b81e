// eval.csv carries held-out accuracy per level of the built-in task; evaluation records written before that still read.
using System.Text.Json;
using Dash.Actors.Protocol;

namespace Dash.Host.Tests.Runs;

public sealed class EvalLevelSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void Should_write_accuracy_and_problems_per_level_to_eval_csv()
    {
        Assert.Equal(0, _runs.Train("levels", 1, 0, "task.levels=[2, 3]").ExitCode);

        var lines = File.ReadAllLines(Path.Combine(_runs.Run("levels"), "eval.csv"));
        var header = lines[0].Split(',');
        Assert.Equal(["accuracy_L2", "problems_L2", "accuracy_L3", "problems_L3"], header[^4..]);
        foreach (var row in lines.Skip(1).Select(l => l.Split(',')))
        {
            Assert.Equal(["4", "4"], [row[Array.IndexOf(header, "problems_L2")], row[Array.IndexOf(header, "problems_L3")]]);
            Assert.Equal("8", row[Array.IndexOf(header, "problems")]);
        }
    }

    [Fact]
    public void Should_read_an_evaluation_record_written_before_per_level_scores()
    {
        const string old = """{"Step":3,"PolicyVersion":3,"Problems":200,"Correct":45,"MeanCompletionLength":21.5,"Seconds":1.2,"Accuracy":0.225}""";

        var report = JsonSerializer.Deserialize<EvalReport>(old)!;

        Assert.Equal(45, report.Correct);
        Assert.Empty(report.Levels);
    }
}
