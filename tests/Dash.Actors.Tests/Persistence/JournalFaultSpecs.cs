// Journal faults injected with Akka.Persistence.TestKit: failed writes retry with back-off, rejections stop cleanly,
// a full or read-only disk stops at once.
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.TestKit;
using Microsoft.Data.Sqlite;

namespace Dash.Actors.Tests.Persistence;

public sealed class JournalFaultSpecs : IDisposable
{
    private readonly RunHarness _h = new();
    private readonly ActorSystem _system;
    private readonly ITestJournal _journal;

    public JournalFaultSpecs()
    {
        // serialize-messages is off here only: the test journal's own control messages (interceptor lambdas, failure
        // exceptions) are not serializable; the pipeline's messages are covered with it on everywhere else.
        _system = ActorSystem.Create("dash", RunHarness.Config(JournalFaults.Hocon));
        _journal = TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(_system).JournalFor(null));
    }

    public void Dispose()
    {
        _system.Terminate().GetAwaiter().GetResult();
        _h.Dispose();
    }

    private string FinalLearnerState(string runId) => _h.FinalLearnerState(runId);

    [Fact]
    public async Task Should_retry_a_failed_step_commit_and_apply_every_step_exactly_once()
    {
        RunHarness.Until(_h.Start(_system, "straight", RunHarness.Settings(), new FakeEngineFactory()), RunHarness.IsEnd);
        var failures = 0;
        await _journal.OnWrite.FailIf(p => p.Payload is StepCommitted { Step: 2 } && Interlocked.Increment(ref failures) <= 2);

        var seen = RunHarness.Until(_h.Start(_system, "flaky", RunHarness.Settings(), new FakeEngineFactory()), RunHarness.IsEnd);

        Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Equal(2, seen.OfType<TrainingWarning>().Count(w => w.Message.Contains("restarting", StringComparison.Ordinal)));
        Assert.Equal([0L, 1, 2, 3, 4, 5], seen.OfType<StepReport>().Select(s => s.Step));
        Assert.Equal(FinalLearnerState("straight"), FinalLearnerState("flaky"));
    }

    [Fact]
    public async Task Should_run_an_evaluation_that_a_crash_after_the_step_commit_left_unrecorded()
    {
        var failures = 0;
        await _journal.OnWrite.FailIf(p => p.Payload is EvalRecorded { Step: 6 } && Interlocked.Increment(ref failures) <= 1);

        var seen = RunHarness.Until(_h.Start(_system, "eval-lost", RunHarness.Settings(), new FakeEngineFactory()), RunHarness.IsEnd);

        var finished = Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Equal([0L, 1, 2, 3, 4, 5], seen.OfType<StepReport>().Select(s => s.Step));
        Assert.Equal([0L, 3, 6], seen.OfType<EvalReport>().Select(e => e.Step));
        Assert.Equal(6, finished.Last?.Step);
    }

    [Fact]
    public async Task Should_stop_with_a_clear_message_when_the_journal_keeps_failing()
    {
        await _journal.OnWrite.Fail();

        var seen = RunHarness.Until(_h.Start(_system, "down", RunHarness.Settings(), new FakeEngineFactory(), maxRestarts: 2), RunHarness.IsEnd);

        var failed = Assert.IsType<TrainingFailed>(seen[^1]);
        Assert.Contains("without progress", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("run journal failed", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(seen.OfType<StepReport>());
    }

    [Fact]
    public async Task Should_stop_cleanly_when_the_journal_rejects_a_step()
    {
        await _journal.OnWrite.RejectIf(p => p.Payload is StepCommitted { Step: 1 });

        var seen = RunHarness.Until(_h.Start(_system, "rejected", RunHarness.Settings(), new FakeEngineFactory()), RunHarness.IsEnd);

        var failed = Assert.IsType<TrainingFailed>(seen[^1]);
        Assert.Contains("rejected StepCommitted", failed.Reason, StringComparison.Ordinal);
        Assert.Equal([0L], seen.OfType<StepReport>().Select(s => s.Step));
    }

    [Fact]
    public async Task Should_resume_once_a_failing_recovery_passes_again()
    {
        var settings = RunHarness.Settings("run.steps=2");
        RunHarness.Until(_h.Start(_system, "recover", settings, new FakeEngineFactory()), RunHarness.IsEnd);
        await _journal.OnRecovery.Fail();

        var failed = RunHarness.Until(_h.Start(_system, "recover", RunHarness.Settings("run.steps=4"), new FakeEngineFactory(), maxRestarts: 1), RunHarness.IsEnd);
        Assert.Contains("reading the run journal failed", Assert.IsType<TrainingFailed>(failed[^1]).Reason, StringComparison.Ordinal);

        await _journal.OnRecovery.Pass();
        var resumed = RunHarness.Until(_h.Start(_system, "recover", RunHarness.Settings("run.steps=4"), new FakeEngineFactory()), RunHarness.IsEnd);
        Assert.Equal([2L, 3], resumed.OfType<StepReport>().Select(s => s.Step));
    }

    /// <summary>Fails the journal operations whose payload matches <paramref name="when"/> with <paramref name="error"/>.</summary>
    private sealed class FailWith(Func<object, bool> when, Func<Exception> error) : IJournalInterceptor
    {
        public Task InterceptAsync(IPersistentRepresentation message) => when(message.Payload) ? Task.FromException(error()) : Task.CompletedTask;
    }

    // Failed before: the coordinator was restarted (3 times here, 5 in dash train, each replaying a journal on the same
    // full disk), and the run ended "stopped 4 times without progress" instead of naming the disk.
    [Fact]
    public async Task Should_stop_at_once_without_restarts_when_the_journal_disk_is_full()
    {
        await _journal.OnWrite.SetInterceptorAsync(new FailWith(p => p is StepCommitted { Step: 1 },
            () => new SqliteException("SQLite Error 13: 'database or disk is full'.", 13)));
        var run = new RunContext("full", RunHarness.Settings().Text, _h.Checkpoints("full")) { JournalPath = "/data/runs/full/journal.db" };
        var clock = Stopwatch.StartNew();

        var seen = RunHarness.Until(RunHarness.Start(_system, run, RunHarness.Settings().Settings, new FakeEngineFactory()), RunHarness.IsEnd);

        var failed = Assert.IsType<TrainingFailed>(seen[^1]);
        Assert.Equal(
            "writing to the run journal /data/runs/full/journal.db failed: no space is left. Free space on the disk holding /data/runs/full " +
            "(dash needs 8 MiB there), or choose another folder with --runs-dir, then run the same command: the run resumes after step 1.", failed.Reason);
        Assert.DoesNotContain(seen.OfType<TrainingWarning>(), w => w.Message.Contains("restarting", StringComparison.Ordinal));
        Assert.Equal([0L], seen.OfType<StepReport>().Select(s => s.Step));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Should_stop_at_once_without_restarts_when_the_journal_file_system_is_read_only_at_recovery()
    {
        RunHarness.Until(_h.Start(_system, "ro", RunHarness.Settings("run.steps=2"), new FakeEngineFactory()), RunHarness.IsEnd);
        await _journal.OnRecovery.SetInterceptorAsync(new FailWith(_ => true, () => new IOException("Read-only file system : '/data/runs/ro/journal.db-wal'", 30)));
        var run = new RunContext("ro", RunHarness.Settings("run.steps=4").Text, _h.Checkpoints("ro")) { JournalPath = "/data/runs/ro/journal.db" };

        var seen = RunHarness.Until(RunHarness.Start(_system, run, RunHarness.Settings("run.steps=4").Settings, new FakeEngineFactory()), RunHarness.IsEnd);

        var failed = Assert.IsType<TrainingFailed>(seen[^1]);
        Assert.StartsWith("reading the run journal /data/runs/ro/journal.db failed: the file system is read-only. Make /data/runs/ro writable",
            failed.Reason, StringComparison.Ordinal);
        Assert.Empty(seen.OfType<TrainingWarning>());
    }
}
