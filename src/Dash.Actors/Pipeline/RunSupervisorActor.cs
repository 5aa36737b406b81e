// Parent of the coordinator: forwards its reports and restarts it with back-off when it stops (journal failures, crashes).
using Akka.Actor;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>
/// Keeps a run alive. The coordinator stops itself when a journal write fails or it crashes; each restart replays the
/// journal and continues from the last committed step, so nothing is lost or applied twice. After
/// <paramref name="maxRestarts"/> restarts without progress, the run stops with a clear message.
/// </summary>
public sealed class RunSupervisorActor : ReceiveActor, IWithTimers
{
    private readonly Func<IActorRef, Props> _coordinator;
    private readonly IActorRef _listener;
    private readonly int _maxRestarts;
    private readonly TimeSpan _firstBackoff;
    public ITimerScheduler Timers { get; set; } = null!;
    private int _failures;
    private bool _done;
    private string _lastProblem = "it stopped unexpectedly";
    private string? _startFailure;
    private bool _committed;

    public RunSupervisorActor(Func<IActorRef, Props> coordinator, IActorRef listener, int maxRestarts, TimeSpan firstBackoff, bool committed)
    {
        _committed = committed;
        _coordinator = coordinator;
        _listener = listener;
        _maxRestarts = maxRestarts;
        _firstBackoff = firstBackoff;
        Receive<StepReport>(m => { _failures = 0; _committed = true; _listener.Tell(m); });
        Receive<EvalReport>(m => _listener.Tell(m));
        Receive<SamplersChanged>(m => _listener.Tell(m));
        Receive<TrainingWarning>(m => { _lastProblem = m.Message; _listener.Tell(m); });
        Receive<TrainingFinished>(m => { _done = true; _listener.Tell(m); });
        Receive<TrainingFailed>(m => { _done = true; _listener.Tell(m); });
        Receive<Terminated>(_ => OnStopped());
        Receive<StartCoordinator>(_ => Start());
    }

    /// <param name="coordinator">Makes the coordinator's props given the actor it reports to.</param>
    /// <param name="committed">Whether the run's journal already holds a committed step (its failure message says so).</param>
    public static Props Props(Func<IActorRef, Props> coordinator, IActorRef listener, int maxRestarts = 5, TimeSpan? firstBackoff = null,
        bool committed = false) =>
        Akka.Actor.Props.Create(() => new RunSupervisorActor(coordinator, listener, maxRestarts, firstBackoff ?? TimeSpan.FromSeconds(1), committed));

    /// <summary>What a stopped run leaves: its committed steps are kept only when there are any.</summary>
    private string Resume => _committed
        ? "The run is intact up to its last committed step; fix the cause and run the same command to resume."
        : "No step was committed; fix the cause and run the same command to start it.";

    protected override void PreStart() => Start();

    /// <summary>Any failure stops the coordinator; this actor restarts it after a back-off. A part of the pipeline that
    /// cannot be created ends the run at once with the cause: a restart would fail the same way.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        if (e is ActorInitializationException init)
            _startFailure = $"{init.Actor?.Path.Name ?? "an actor"} could not start: {FirstLine(init.InnerException ?? init)}";
        return Directive.Stop;
    });

    private static string FirstLine(Exception e)
    {
        while (e.InnerException is not null && e is ActorInitializationException or AggregateException or TypeInitializationException) e = e.InnerException;
        var message = e.Message.Split('\n', 2)[0].Trim().TrimEnd('.');
        return $"{e.GetType().Name}: {message}";
    }

    private void Start() => Context.Watch(Context.ActorOf(_coordinator(Self), "coordinator-" + Guid.NewGuid().ToString("N")[..6]));

    private void OnStopped()
    {
        if (_done) return;
        if (_startFailure is not null)
        {
            _done = true;
            _listener.Tell(new TrainingFailed(
                $"{_startFailure}. {Resume}"));
            return;
        }
        _failures++;
        if (_failures > _maxRestarts)
        {
            _done = true;
            _listener.Tell(new TrainingFailed(
                $"the coordinator stopped {_failures} times without progress ({_lastProblem}). {Resume}"));
            return;
        }
        var delay = TimeSpan.FromTicks(_firstBackoff.Ticks << Math.Min(_failures - 1, 6));
        _listener.Tell(new TrainingWarning($"the coordinator stopped ({_lastProblem}); restarting from the journal in {delay.TotalSeconds:0.#} s " +
                                           $"(attempt {_failures} of {_maxRestarts})."));
        Timers.StartSingleTimer("restart", StartCoordinator.Instance, delay);
    }

    private sealed class StartCoordinator
    {
        public static readonly StartCoordinator Instance = new();
    }
}
