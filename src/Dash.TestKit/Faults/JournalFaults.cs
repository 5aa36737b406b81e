// Journal faults: a step's commit fails (as a full disk or a lost database connection would make it), a given number of times.
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.TestKit;
using Dash.Actors.Persistence;

namespace Dash.TestKit;

/// <summary>
/// Makes the run journal fail the write of one step's <see cref="StepCommitted"/>, a given number of times: the
/// coordinator stops, its supervisor restarts it from the journal, and the step is done again. A run with planned
/// journal faults journals to Akka.Persistence.TestKit's test journal (in memory; the fault fires exactly on the
/// write it names) instead of the SQLite file; <see cref="RunOutcome.Journal"/> holds what it journaled, read back
/// event by event, for <see cref="JournalAssert"/>. Checkpoints are still written to the harness's folder.
/// </summary>
public sealed class JournalFaults
{
    private readonly List<(string RunId, long Step, int Times)> _planned = [];
    private readonly Lock _gate = new();

    /// <summary>The commits that failed, as (run id, step), in order.</summary>
    public List<(string RunId, long Step)> Refused { get; } = [];

    /// <summary>The test journal and snapshot store (messages are not serialized locally: the journal's own control
    /// messages are not serializable).</summary>
    public static Config Hocon => ConfigurationFactory.ParseString("""
        akka.actor.serialize-messages = off
        akka.persistence {
          journal {
            plugin = "akka.persistence.journal.test"
            test { class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit", plugin-dispatcher = "akka.actor.default-dispatcher" }
          }
          snapshot-store {
            plugin = "akka.persistence.snapshot-store.test"
            test { class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit", plugin-dispatcher = "akka.actor.default-dispatcher" }
          }
        }
        """);

    /// <summary>Fails the commit of <paramref name="step"/> of run <paramref name="runId"/> <paramref name="times"/> times.</summary>
    public JournalFaults FailStepCommit(string runId, long step, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate) _planned.Add((runId, step, times));
        return this;
    }

    /// <summary>Whether run <paramref name="runId"/> has planned faults.</summary>
    public bool Has(string runId)
    {
        lock (_gate) return _planned.Any(p => p.RunId == runId);
    }

    /// <summary>Arms the faults of <paramref name="runId"/> on the test journal of <paramref name="system"/>.</summary>
    internal void Arm(ActorSystem system, string runId)
    {
        (string RunId, long Step, int Times)[] due;
        lock (_gate) due = [.. _planned.Where(p => p.RunId == runId)];
        var counts = new int[due.Length];
        var journal = TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(null));
        var id = $"run-{runId}";
        Task.Run(() => journal.OnWrite.FailIf(p =>
        {
            if (p.PersistenceId != id || p.Payload is not StepCommitted c) return false;
            var i = Array.FindIndex(due, d => d.Step == c.Step);
            if (i < 0 || Interlocked.Increment(ref counts[i]) > due[i].Times) return false;
            lock (_gate) Refused.Add((runId, c.Step));
            return true;
        })).GetAwaiter().GetResult();
    }
}
