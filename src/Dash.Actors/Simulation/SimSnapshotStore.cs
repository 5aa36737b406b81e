// A synchronous in-memory snapshot store for simulations (see SimJournal).
using Akka.Actor;
using Akka.Persistence;

namespace Dash.Actors.Simulation;

/// <summary>The snapshot-store plugin of a simulation: keeps the newest snapshot per id in memory, answering synchronously.</summary>
public sealed class SimSnapshotStore : ReceiveActor
{
    private readonly Dictionary<string, SelectedSnapshot> _latest = [];

    public SimSnapshotStore()
    {
        Receive<LoadSnapshot>(m =>
            Sender.Tell(new LoadSnapshotResult(_latest.GetValueOrDefault(m.PersistenceId), m.ToSequenceNr)));
        Receive<SaveSnapshot>(m =>
        {
            _latest[m.Metadata.PersistenceId] = new SelectedSnapshot(m.Metadata, m.Snapshot);
            Sender.Tell(new SaveSnapshotSuccess(m.Metadata));
        });
        Receive<DeleteSnapshot>(m => Sender.Tell(new DeleteSnapshotSuccess(m.Metadata)));
        Receive<DeleteSnapshots>(m => Sender.Tell(new DeleteSnapshotsSuccess(m.Criteria)));
    }
}
