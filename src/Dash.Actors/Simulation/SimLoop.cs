// The one thread every actor of a simulation runs on, and the exact test for "nothing left to do" (quiescence).
using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Dispatch;

namespace Dash.Actors.Simulation;

/// <summary>
/// A single thread with a FIFO work queue. Every dispatcher of a simulation's ActorSystem hands its mailboxes to this
/// queue (through <see cref="SimExecutorConfigurator"/>), so actors run one message batch at a time, in the order their
/// mailboxes were scheduled. The system is quiescent exactly when the queue is empty and nothing runs: no actor holds
/// a message and none can get one until the driver delivers the next virtual-time event. Work arriving from any other
/// thread than the loop and the driver would break that (and determinism); it is counted in <see cref="ForeignWork"/>.
/// </summary>
public sealed class SimLoop : IDisposable
{
    private static readonly ConcurrentDictionary<string, SimLoop> Loops = new();
    private readonly object _gate = new();
    private readonly Queue<IRunnable> _work = new();
    private readonly Thread _thread;
    private Thread? _driver;
    private bool _running;
    private bool _stopped;
    private bool _watching;

    public SimLoop()
    {
        Id = Guid.NewGuid().ToString("N");
        _thread = new Thread(Run) { IsBackground = true, Name = "dash-sim-" + Id[..8] };
        Loops[Id] = this;
        _thread.Start();
    }

    /// <summary>The name dispatchers find this loop by (<c>sim-loop</c> in their HOCON).</summary>
    public string Id { get; }

    /// <summary>Work items enqueued by a thread other than the loop and the driver while the simulation ran.</summary>
    public long ForeignWork { get; private set; }

    /// <summary>The first exception a work item threw (actors' exceptions are handled by Akka; this is a bug).</summary>
    public Exception? Failure { get; private set; }

    /// <summary>True on the loop's own thread.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    internal static SimLoop Find(string id) =>
        Loops.TryGetValue(id, out var loop) ? loop : throw new InvalidOperationException($"no simulation loop {id} is running.");

    /// <summary>From now on, the calling thread is the driver and work from any third thread is counted.</summary>
    public void Watch()
    {
        lock (_gate)
        {
            _driver = Thread.CurrentThread;
            _watching = true;
        }
    }

    /// <summary>Stops counting foreign work (the simulation is over; shutdown uses the thread pool).</summary>
    public void Unwatch()
    {
        lock (_gate) _watching = false;
    }

    public void Execute(IRunnable run)
    {
        lock (_gate)
        {
            if (_watching && Thread.CurrentThread != _thread && Thread.CurrentThread != _driver) ForeignWork++;
            _work.Enqueue(run);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks until the queue is empty and no work item runs.</summary>
    public void WaitQuiescent()
    {
        lock (_gate)
        {
            while (_work.Count > 0 || _running) Monitor.Wait(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            IRunnable next;
            lock (_gate)
            {
                while (_work.Count == 0 && !_stopped) Monitor.Wait(_gate);
                if (_work.Count == 0) return;
                next = _work.Dequeue();
                _running = true;
            }
            try
            {
                next.Run();
            }
#pragma warning disable CA1031 // A failing work item must not kill the loop: it is recorded and reported by the simulator.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Failure ??= e;
            }
            lock (_gate)
            {
                _running = false;
                if (_work.Count == 0) Monitor.PulseAll(_gate);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
        Loops.TryRemove(Id, out _);
    }
}

/// <summary>
/// Akka dispatcher executor that runs everything on a <see cref="SimLoop"/>; configured by class name in a dispatcher's
/// HOCON (<c>executor = "Dash.Actors.Simulation.SimExecutorConfigurator, Dash.Actors"</c>, <c>sim-loop = "&lt;id&gt;"</c>).
/// </summary>
public sealed class SimExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new SimExecutor(id, SimLoop.Find(Config.GetString("sim-loop")));

    private sealed class SimExecutor(string id, SimLoop loop) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => loop.Execute(run);

        public override void Shutdown()
        {
            // The loop belongs to the simulator, which stops it after the actor system has terminated.
        }
    }
}
