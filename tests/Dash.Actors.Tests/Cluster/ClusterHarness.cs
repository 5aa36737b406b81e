// Several Dash cluster nodes (ActorSystems) in one test process on loopback, with the fake engines.
using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;
using Dash.Actors.Tests.Fakes;
using Dash.Actors.Tests.Persistence;

namespace Dash.Actors.Tests.Cluster;

public sealed class ClusterHarness : IDisposable
{
    private readonly List<DashNode> _nodes = [];

    public RunHarness Run { get; } = new();

    /// <summary>Faster failure detection and downing than production, and crash-like termination (no graceful leave).</summary>
    public static readonly Config TestTimings = ConfigurationFactory.ParseString("""
        akka.cluster.split-brain-resolver.stable-after = 2s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.cluster.run-coordinated-shutdown-when-down = off
        akka.loglevel = ERROR
        akka.remote.dot-netty.tcp.applied-adapters = [trttl]
        """);

    /// <summary>
    /// Cuts <paramref name="node"/> off from every other node (as a crash or a partition looks to them), while its own
    /// threads keep running; the others find it unreachable and down it.
    /// </summary>
    public void Isolate(DashNode node)
    {
        var transport = ((Akka.Remote.RemoteActorRefProvider)((ExtendedActorSystem)node.System).Provider).Transport;
        foreach (var other in _nodes.Where(n => n != node))
        {
            transport.ManagementCommand(new Akka.Remote.Transport.SetThrottle(other.Address,
                Akka.Remote.Transport.ThrottleTransportAdapter.Direction.Both, Akka.Remote.Transport.Blackhole.Instance)).Wait(TimeSpan.FromSeconds(10));
        }
    }

    public static ClusterNodeSettings NodeSettings(string roles, DashNode? seed, params string[] sets) =>
        ClusterNodeSettings.Load([roles], "127.0.0.1", 0, seed is null ? [] : [seed.Address.ToString()], sets: sets);

    /// <summary>Starts a node (with the run's SQLite journal, so any node can host the coordinator).</summary>
    /// <param name="throttled">Run over the throttling transport adapter (so <see cref="Isolate"/> can cut the node off).</param>
    public DashNode Start(ClusterNodeSettings settings, bool throttled = true)
    {
        var journal = new SqliteJournal(Run.JournalPath);
        journal.Verify();
        var timings = throttled ? TestTimings : ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.applied-adapters = []").WithFallback(TestTimings);
        var node = DashNode.Start(settings, timings.WithFallback(journal.ToHocon()));
        _nodes.Add(node);
        return node;
    }

    public static void AwaitUp(params DashNode[] nodes)
    {
        foreach (var n in nodes) Assert.True(n.WaitUntilUp(TimeSpan.FromSeconds(30)), $"{n.Address} did not come up");
    }

    /// <summary>Starts the coordinator singleton manager on a coordinator node; reports arrive in the returned queue.</summary>
    public BlockingCollection<object> StartCoordinator(DashNode node, string runId, EffectiveConfig config, FakeEngineFactory factory)
    {
        var inbox = new BlockingCollection<object>();
        var listener = node.System.ActorOf(Props.Create(() => new Collector(inbox)));
        var run = new RunContext(runId, config.Text, Run.Checkpoints(runId));
        var parts = new ClusterParts(config.Settings, factory, node.Settings.Transfer);
        node.StartCoordinator(RunSupervisorActor.Props(
            parent => TrainingCoordinatorActor.Props(config.Settings, new FakeData(), parts, parent, run), listener, 3, TimeSpan.FromMilliseconds(200)));
        return inbox;
    }

    /// <summary>A crash: the node's system stops without leaving the cluster; the others must detect and down it.</summary>
    public static void Crash(DashNode node) => node.System.Terminate().Wait(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        foreach (var n in _nodes)
        {
            try
            {
                n.Dispose();
            }
            catch (Exception e) when (e is AggregateException or ObjectDisposedException)
            {
                // Already terminated by a crash test.
            }
        }
        Run.Dispose();
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }
}
