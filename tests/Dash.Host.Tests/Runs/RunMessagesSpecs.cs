// What dash train and dash runs say about a run: a finished run is "already finished", SFT shows its loss, the summary
// describes what the preset did, and `runs list` and `runs show` agree on the best checkpoint.
using System.Text.Json;
using Dash.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace Dash.Host.Tests.Runs;

public sealed class RunMessagesSpecs : IDisposable
{
    private readonly TinyRuns _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void Should_tell_an_interrupted_user_which_checkpoint_a_run_saving_every_few_steps_resumes_from()
    {
        var now = DateTime.UtcNow;
        RunState Committed(params string[] checkpoints) => checkpoints.Select((c, i) => new StepCommitted(i, i + 1, c, c.Length > 0 ? "sha" : "", "{}", now))
            .Aggregate(RunState.Empty, (s, e) => s.Apply(e));

        Assert.Equal("Everything up to the last committed step is saved", Training.TrainingSession.SavedUpTo(Committed("step-000001", "step-000002")));
        Assert.Equal("Everything up to the last committed step is saved", Training.TrainingSession.SavedUpTo(RunState.Empty));
        Assert.Equal("Everything up to step-000002 (after step 2) is saved; steps 3–4 run again (dash.coordinator.checkpoint-every)",
            Training.TrainingSession.SavedUpTo(Committed("", "step-000002", "", "")));
        Assert.StartsWith("No checkpoint was saved yet", Training.TrainingSession.SavedUpTo(Committed("", "")), StringComparison.Ordinal);
    }

    // Failed before: "Resuming run done after step 1 (…)", then the engines were built and the run "resumed" for nothing.
    [Fact]
    public void Should_say_a_finished_run_is_already_finished_and_how_to_extend_it()
    {
        Assert.Equal(0, _runs.Train("done", 1).ExitCode);

        var again = _runs.Train("done", 1, 0, "run.eval-every=1"); // A key a resumed run may change.

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Run done already finished (1 steps)", again.Out, StringComparison.Ordinal);
        Assert.Contains("larger --steps (e.g. --steps 2)", again.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Resuming", again.Out, StringComparison.Ordinal);
    }

    // Failed before: warm-up steps printed "reward 1.000  train-acc 100 %  kept 8/8" and its summary.md said
    // "Gradient filtering kept 16 of 16 samples".
    [Fact]
    public void Should_show_the_sft_loss_in_progress_and_describe_supervised_training_in_the_summary()
    {
        var r = _runs.Train("rl", 1, warmup: 2);

        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n');
        var warmupSteps = lines.TakeWhile(l => !l.StartsWith("Training run rl", StringComparison.Ordinal)).Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, warmupSteps.Length);
        Assert.All(warmupSteps, l => Assert.Matches(@"^step \d/2  loss \d+\.\d{3}  samples \d+ ", l));
        Assert.All(warmupSteps, l => Assert.DoesNotContain("reward", l, StringComparison.Ordinal));
        var summary = File.ReadAllText(Path.Combine(_runs.Warmup, "summary.md"));
        Assert.Contains("Supervised fine-tuning on reference solutions", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("Gradient filtering", summary, StringComparison.Ordinal);
        Assert.Contains("Gradient filtering kept", File.ReadAllText(Path.Combine(_runs.Run("rl"), "summary.md")), StringComparison.Ordinal);
    }

    // Failed before: `runs list` counted the step-0 evaluation (no checkpoint of this run) as its best accuracy.
    [Fact]
    public void Should_give_the_accuracy_of_the_best_checkpoint_in_runs_list_as_runs_show_does()
    {
        Assert.Equal(0, _runs.Train("best", 2).ExitCode);
        SqliteConnection.ClearAllPools();
        MakeStepZeroEvaluationPerfect(Path.Combine(_runs.Run("best"), "journal.db"));

        var show = _runs.Runs("show", "best").Out;
        var list = _runs.Runs("list").Out.Split('\n').Single(l => l.StartsWith("best ", StringComparison.Ordinal));

        var named = System.Text.RegularExpressions.Regex.Match(show, @"best checkpoint: step-000002 \(held-out (\d+\.\d %) after step 2\)");
        Assert.True(named.Success, show);
        Assert.Contains($" {named.Groups[1].Value} ", list, StringComparison.Ordinal);
        Assert.DoesNotContain("100.0 %", list, StringComparison.Ordinal);
    }

    /// <summary>Rewrites the journaled step-0 evaluation as 8/8 correct, as after a warm-up that is better than RL.</summary>
    private static void MakeStepZeroEvaluationPerfect(string journal)
    {
        using var connection = new SqliteConnection($"Data Source={journal};Pooling=false");
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT sequence_number, message FROM journal WHERE manifest = 'eval-recorded.v1'";
        var rows = new List<(long, EvalRecorded)>();
        using (var reader = read.ExecuteReader())
            while (reader.Read())
                rows.Add((reader.GetInt64(0), (EvalRecorded)RunEventSerializer.Decode((byte[])reader[1], "eval-recorded.v1")));
        var (sequenceNr, first) = rows.Single(r => r.Item2.Step == 0);
        using var write = connection.CreateCommand();
        write.CommandText = "UPDATE journal SET message = @m WHERE sequence_number = @n";
        write.Parameters.AddWithValue("@m", JsonSerializer.SerializeToUtf8Bytes(first with { Correct = first.Problems }));
        write.Parameters.AddWithValue("@n", sequenceNr);
        Assert.Equal(1, write.ExecuteNonQuery());
    }
}
