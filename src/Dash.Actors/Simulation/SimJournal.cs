// A synchronous in-memory journal for simulations: replies in the same message handler, so no thread pool is involved.
using Akka.Actor;
using Akka.Persistence;

namespace Dash.Actors.Simulation;

/// <summary>
/// The journal plugin of a simulation. Akka's own in-memory journal completes writes through tasks and a resequencer;
/// this one answers <see cref="WriteMessages"/> and <see cref="ReplayMessages"/> inside the handler, so every
/// persistence round trip stays on the <see cref="SimLoop"/> thread and costs no virtual time.
/// </summary>
public sealed class SimJournal : ReceiveActor
{
    private readonly Dictionary<string, List<IPersistentRepresentation>> _events = [];

    public SimJournal()
    {
        Receive<WriteMessages>(m =>
        {
            m.PersistentActor.Tell(WriteMessagesSuccessful.Instance, Self);
            foreach (var envelope in m.Messages)
            {
                if (envelope is AtomicWrite write)
                {
                    foreach (var p in (IEnumerable<IPersistentRepresentation>)write.Payload)
                    {
                        Stream(p.PersistenceId).Add(p);
                        m.PersistentActor.Tell(new WriteMessageSuccess(p, m.ActorInstanceId), p.Sender);
                    }
                }
                else
                {
                    m.PersistentActor.Tell(new LoopMessageSuccess(envelope.Payload, m.ActorInstanceId), envelope.Sender);
                }
            }
        });
        Receive<ReplayMessages>(m =>
        {
            var events = Stream(m.PersistenceId);
            var highest = events.Count == 0 ? 0 : events[^1].SequenceNr;
            foreach (var p in events.Where(p => p.SequenceNr >= m.FromSequenceNr && p.SequenceNr <= m.ToSequenceNr).Take((int)Math.Min(int.MaxValue, m.Max)))
                m.PersistentActor.Tell(new ReplayedMessage(p), ActorRefs.NoSender);
            m.PersistentActor.Tell(new RecoverySuccess(highest), ActorRefs.NoSender);
        });
        Receive<DeleteMessagesTo>(m =>
        {
            Stream(m.PersistenceId).RemoveAll(p => p.SequenceNr <= m.ToSequenceNr);
            m.PersistentActor.Tell(new DeleteMessagesSuccess(m.ToSequenceNr), ActorRefs.NoSender);
        });
    }

    private List<IPersistentRepresentation> Stream(string persistenceId)
    {
        if (!_events.TryGetValue(persistenceId, out var list)) _events[persistenceId] = list = [];
        return list;
    }
}
