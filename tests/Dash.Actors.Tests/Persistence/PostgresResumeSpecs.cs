// Exact resume with the run journal on a real PostgreSQL server (a private cluster shared by this class's tests).
using Akka.Actor;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.TestKit;

namespace Dash.Actors.Tests.Persistence;

public sealed class PostgresResumeSpecs(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly RunHarness _h = new();
    private readonly PostgresJournal _journal = new(server.NewDatabase());

    public void Dispose() => _h.Dispose();

    private ActorSystem NewSystem()
    {
        _journal.Verify();
        return ActorSystem.Create("dash", RunHarness.Config(_journal.ToHocon()));
    }

    private string FinalLearnerState(string runId) => _h.FinalLearnerState(runId);

    private List<object> RunToEnd(string runId, params string[] sets) => _h.RunToEnd(NewSystem, runId, sets);

    private static void Shutdown(ActorSystem system) => RunHarness.Shutdown(system);

    [Fact]
    public void Should_continue_an_interrupted_run_to_the_same_final_state_with_every_step_committed_once()
    {
        RunToEnd("straight");

        using (var system = NewSystem())
        {
            RunHarness.Until(_h.Start(system, "interrupted", RunHarness.Settings(), new FakeEngineFactory()), m => m is StepReport { Step: 2 });
            Shutdown(system); // Mid-step 3.
        }
        var secondPart = RunToEnd("interrupted");

        Assert.IsType<TrainingFinished>(secondPart[^1]);
        Assert.Equal([3L, 4, 5], secondPart.OfType<StepReport>().Select(s => s.Step));
        var events = new RunFolder(Path.Combine(_h.Dir, "interrupted"), _journal).ReadEvents();
        Assert.Equal([0L, 1, 2, 3, 4, 5], events.OfType<StepCommitted>().Select(e => e.Step)); // every step exactly once, in order
        Assert.Single(events.OfType<RunStarted>());
        Assert.IsType<RunFinished>(events[^1]);
        Assert.Equal(FinalLearnerState("straight"), FinalLearnerState("interrupted"));
    }

    [Fact]
    public void Should_keep_runs_apart_in_one_database_by_persistence_id()
    {
        RunToEnd("first", "run.steps=2");
        RunToEnd("second", "run.steps=3");

        var first = new RunFolder(Path.Combine(_h.Dir, "first"), _journal).ReadEvents();
        var second = new RunFolder(Path.Combine(_h.Dir, "second"), _journal).ReadEvents();

        Assert.Equal([0L, 1], first.OfType<StepCommitted>().Select(e => e.Step));
        Assert.Equal([0L, 1, 2], second.OfType<StepCommitted>().Select(e => e.Step));
        Assert.Equal("first", Assert.Single(first.OfType<RunStarted>()).RunId);
    }

    [Fact]
    public void Should_say_clearly_when_the_server_cannot_be_reached()
    {
        var unreachable = new PostgresJournal($"Host=127.0.0.1;Port={server.Port};Database=missing_db;Username=dash;Password=hunter2;Timeout=3");

        var e = Assert.Throws<InvalidOperationException>(unreachable.Verify);

        Assert.Contains("Cannot reach the PostgreSQL journal", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }
}
