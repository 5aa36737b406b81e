// Replays a run's journal (as a second persistent actor with the same id) and returns every event, for assertions.
using Akka.Actor;
using Akka.Persistence;
using Dash.Actors.Persistence;

namespace Dash.Actors.Tests.Persistence;

public sealed class JournalReader : ReceivePersistentActor
{
    private readonly List<IRunEvent> _events = [];

    public JournalReader(string runId)
    {
        PersistenceId = $"run-{runId}";
        Recover<IRunEvent>(_events.Add);
        Command<string>(_ => Sender.Tell(_events.ToArray()));
    }

    public override string PersistenceId { get; }
}

public static class Journals
{
    /// <summary>Every event of run <paramref name="runId"/>, in journal order.</summary>
    public static IRunEvent[] Read(ActorSystem system, string runId)
    {
        var reader = system.ActorOf(Props.Create(() => new JournalReader(runId)));
        var events = reader.Ask<IRunEvent[]>("read", TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        system.Stop(reader);
        return events;
    }
}
