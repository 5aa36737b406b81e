// Several Dash cluster nodes (ActorSystems) in one test process on loopback, with the fake engines.
using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using Dash.Actors.Cluster;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.TestKit;

public sealed partial class DashHarness
{
    private readonly List<DashNode> _nodes = [];

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

    /// <summary>Sampler nodes' samplers use the fault mailbox, so <see cref="WeightFaults"/> reach chunks between nodes.</summary>
    private static readonly Config SamplersOnFaultMailbox = ConfigurationFactory.ParseString(
        $"akka.actor.deployment {{ \"/{ClusterRoles.SamplerHostName}/*\" {{ mailbox = {FaultMailbox.ConfigPath} }} }}").WithFallback(FaultMailbox.Hocon);

    /// <summary>A node's settings: <paramref name="roles"/> (e.g. "coordinator,learner" or "sampler") on 127.0.0.1, any free port.</summary>
    public static ClusterNodeSettings NodeSettings(string roles, DashNode? seed, params string[] sets) =>
        ClusterNodeSettings.Load([roles], "127.0.0.1", 0, seed is null ? [] : [seed.Address.ToString()], sets: sets);

    /// <summary>Starts a node with this harness's SQLite journal (so any node can host the coordinator).</summary>
    /// <param name="throttled">Run over the throttling transport adapter (so <see cref="Isolate"/> can cut the node off).</param>
    public DashNode StartNode(ClusterNodeSettings settings, bool throttled = true)
    {
        var journal = new SqliteJournal(JournalPath);
        journal.Verify();
        var timings = throttled ? TestTimings : ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.applied-adapters = []").WithFallback(TestTimings);
        var node = DashNode.Start(settings, timings.WithFallback(SamplersOnFaultMailbox).WithFallback(journal.ToHocon()));
        FaultRegistry.For(node.System).Weights = WeightFaults;
        lock (_nodes) _nodes.Add(node);
        return node;
    }

    /// <summary>Waits until every node is Up in the cluster; throws naming the first that is not within 30 s.</summary>
    public static void AwaitUp(params DashNode[] nodes)
    {
        foreach (var n in nodes)
            if (!n.WaitUntilUp(TimeSpan.FromSeconds(30))) throw new TimeoutException($"{n.Address} did not come up within 30 s");
    }

    /// <summary>Starts the coordinator singleton manager on a coordinator node; reports arrive in the returned queue.</summary>
    public BlockingCollection<object> StartCoordinator(DashNode node, string runId, EffectiveConfig config, FakeEngineFactory factory)
    {
        var inbox = new BlockingCollection<object>();
        var listener = node.System.ActorOf(Props.Create(() => new Collector(inbox)));
        var run = new RunContext(runId, config.Text, Checkpoints(runId));
        var parts = new ClusterParts(config.Settings, factory, node.Settings.Transfer);
        node.StartCoordinator(RunSupervisorActor.Props(
            parent => TrainingCoordinatorActor.Props(config.Settings, factory.Task, parts, parent, run), listener, 3, TimeSpan.FromMilliseconds(200)));
        return inbox;
    }

    /// <summary>
    /// Cuts <paramref name="node"/> off from every other node (as a crash or a partition looks to them), while its own
    /// threads keep running; the others find it unreachable and down it. The node must have been started throttled.
    /// </summary>
    public void Isolate(DashNode node)
    {
        var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)node.System).Provider).Transport;
        DashNode[] others;
        lock (_nodes) others = [.. _nodes.Where(n => n != node)];
        foreach (var other in others)
        {
            transport.ManagementCommand(new SetThrottle(other.Address, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance))
                .Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>A crash: the node's system stops without leaving the cluster; the others must detect and down it.</summary>
    public static void Crash(DashNode node) => node.System.Terminate().Wait(TimeSpan.FromSeconds(30));

    private void DisposeNodes()
    {
        DashNode[] nodes;
        lock (_nodes) nodes = [.. _nodes];
        foreach (var n in nodes)
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
    }
}
