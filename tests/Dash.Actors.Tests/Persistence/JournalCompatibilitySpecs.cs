// Journals written by an earlier Dash version keep replaying: a committed v1 SQLite journal, read with today's code.
using Akka.Actor;
using Akka.Configuration;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Persistence;

public sealed class JournalCompatibilitySpecs : IDisposable
{
    private const string RunId = "journal-v1";
    private readonly RunHarness _h = new();
    private readonly RunFolder _folder;

    public JournalCompatibilitySpecs()
    {
        // A copy: opening a journal (WAL mode) writes to it, and the committed fixture must stay as it was.
        _folder = new RunFolder(Path.Combine(_h.Dir, RunId));
        Directory.CreateDirectory(_folder.Path);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "journal-v1.db"), _folder.Journal);
    }

    public void Dispose() => _h.Dispose();

    private static RunState Fold(IEnumerable<IRunEvent> events) => events.Aggregate(RunState.Empty, (s, e) => s.Apply(e));

    [Fact]
    public void Should_deserialize_every_event_of_a_v1_journal_and_fold_its_steps_and_evaluations()
    {
        var events = _folder.ReadEvents();

        Assert.Equal([typeof(RunStarted), typeof(EvalRecorded), typeof(StepCommitted), typeof(StepCommitted), typeof(EvalRecorded),
            typeof(StepCommitted), typeof(StepCommitted), typeof(EvalRecorded), typeof(RunFinished)], events.Select(e => e.GetType()));
        var state = Fold(events);
        Assert.Equal((RunId, 7L), (state.Started!.RunId, state.Started.Seed));
        Assert.Contains("dash.run.steps = \"4\"", state.Started.ConfigText, StringComparison.Ordinal);
        Assert.Equal([0L, 1, 2, 3], state.Steps.Select(s => s.Step));
        Assert.All(state.Steps, s => Assert.Matches("^step-0000[0-3]{2}$", s.Checkpoint));
        Assert.All(state.Steps, s => Assert.Equal(s.Step, System.Text.Json.JsonSerializer.Deserialize<StepReport>(s.ReportJson)!.Step));
        Assert.Equal([0L, 2, 4], state.Evals.Select(e => e.Step));
        Assert.All(state.Evals, e => Assert.Equal(8, e.Problems));
        Assert.True(state.Finished);
        Assert.Equal(4, state.NextStep);
    }

    [Fact]
    public async Task Should_finish_a_finished_v1_run_without_running_any_step_again()
    {
        var started = Assert.IsType<RunStarted>(_folder.ReadEvents()[0]);
        var settings = DashSettings.From(ConfigurationFactory.ParseString(started.ConfigText).WithFallback(ConfigLoader.Defaults));
        var factory = new FakeEngineFactory();
        var journal = new SqliteJournal(_folder.Journal);
        journal.Verify();

        List<object> seen;
        using (var system = ActorSystem.Create("dash", RunHarness.Config(journal.ToHocon())))
        {
            seen = RunHarness.Until(RunHarness.Start(system, new RunContext(RunId, started.ConfigText, Checkpoints: null), settings, factory), RunHarness.IsEnd);
            await system.Terminate();
        }

        var finished = Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Equal(4, finished.Steps);
        Assert.Equal(4, finished.Last?.Step);
        Assert.Empty(seen.OfType<StepReport>());
        Assert.Empty(seen.OfType<EvalReport>());
        Assert.Empty(factory.Learned);
        Assert.Equal(9, _folder.ReadEvents().Length); // nothing journaled again
    }
}
