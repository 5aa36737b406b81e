// Discrete-event virtual time: messages scheduled at now + cost, released in (time, order) when the actors are idle.
using Akka.Actor;

namespace Dash.Actors.Simulation;

/// <summary>
/// The simulation's clock. A simulated actor never sleeps: it schedules its reply at <see cref="Now"/> + the cost of the
/// work. The driver (<see cref="Simulator"/>) releases the earliest event only when the actor system is quiescent
/// (<see cref="SimLoop.WaitQuiescent"/>), then sets <see cref="Now"/> to its time. Ties keep scheduling order, so
/// the same inputs release the same events in the same order: time and results are independent of the machine.
/// </summary>
public sealed class VirtualClock(SimLoop loop)
{
    private readonly PriorityQueue<Event, (double Time, long Order)> _events = new();
    private long _order;

    /// <summary>One scheduled delivery.</summary>
    public sealed record Event(double Time, IActorRef Target, object Message, IActorRef Sender);

    /// <summary>Virtual seconds since the simulation started.</summary>
    public double Now { get; private set; }

    /// <summary>Events not yet released.</summary>
    public int Pending => _events.Count;

    /// <summary>Delivers <paramref name="message"/> to <paramref name="target"/> (from <paramref name="sender"/>) <paramref name="delay"/> virtual seconds from now.</summary>
    public void Schedule(double delay, IActorRef target, object message, IActorRef sender)
    {
        if (!loop.IsLoopThread) throw new InvalidOperationException("virtual-time events are scheduled only by actors on the simulation loop.");
        if (double.IsNaN(delay) || delay < 0) throw new ArgumentOutOfRangeException(nameof(delay), delay, "a delay is a non-negative number of seconds.");
        var time = Now + delay;
        _events.Enqueue(new Event(time, target, message, sender), (time, _order++));
    }

    /// <summary>Driver only, while quiescent: takes the earliest event and moves time to it.</summary>
    internal bool TryAdvance(out Event next)
    {
        if (!_events.TryDequeue(out next!, out var key)) return false;
        Now = key.Time;
        return true;
    }
}
