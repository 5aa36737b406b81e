// Starts this process's cluster node for `dash node`: joins the seed nodes, hosts samplers and/or the coordinator.
using Akka.Configuration;
using Dash.Actors.Cluster;
using Dash.Actors.Engines;
using Dash.Actors.Settings;

namespace Dash.Host.Training;

internal sealed class ClusterHost(ClusterNodeSettings settings, Console2 console)
{
    /// <summary>The exit code of a node the cluster removed (downed): start it again to rejoin.</summary>
    public const int RemovedExitCode = 3;

    public ClusterNodeSettings Settings { get; } = settings;

    /// <summary>Starts the node, waits until it is Up (or fails naming the seed nodes), and starts its samplers if it has the role.</summary>
    /// <param name="settings">This node's training settings (config.conf text), which its samplers check against the coordinator's.</param>
    public DashNode Start(Config journal, IEngineFactory factory, int samplers, string settings = "")
    {
        Settings.CheckPortFree();
        var node = DashNode.Start(Settings, journal);
        console.Out.WriteLine($"Node {node.Address} starting as {string.Join(",", Settings.Roles)}" +
                              (Settings.SeedNodes.Length == 0 ? " (first node: it forms the cluster)." : $"; joining {string.Join(", ", Settings.SeedNodes)}."));
        // Samplers exist before the node is Up, so the coordinator's greeting (sent when it sees this node come up) finds them.
        if (Settings.Has(ClusterRoles.Sampler)) node.StartSamplers(factory, samplers, settings);
        if (!node.WaitUntilUp(Settings.JoinTimeout))
        {
            node.Dispose();
            throw new UserException($"could not join the cluster through {string.Join(", ", Settings.SeedNodes)} within {Settings.JoinTimeout.TotalSeconds:0} s " +
                                    "(dash.cluster.join-timeout-seconds). Is a node running there, with the same TLS setting and certificates from the same CA?");
        }
        if (Settings.Has(ClusterRoles.Sampler))
        {
            console.Out.WriteLine($"{samplers} sampler(s) ready on {node.Address}; they register when the coordinator greets them.");
        }
        return node;
    }

    /// <summary>A node without the coordinator role: serves sampling until the run ends, this node is removed, or Ctrl-C.</summary>
    public int RunWorker(EffectiveConfig config)
    {
        Cli.InitNative();
        var training = config.Settings;
        var engines = EngineSetup.Create(training, roles: EngineSetup.Roles(Settings));
        foreach (var line in engines.Placement) console.Out.WriteLine("  " + line); // Which sampler holds which device.
        var node = Start(engines.ActorConfig, engines.Factory, training.Sampling.Samplers, config.Text);
        using var cancel = new CtrlC();
        try
        {
            var ended = node.RunEnded;
            var removed = node.System.WhenTerminated;
            var refused = node.Refused;
            var which = Task.WaitAny([ended, removed, refused], cancel.Token);
            if (which == 0)
            {
                console.Out.WriteLine($"Run {ended.Result.RunId} {(ended.Result.Finished ? "finished" : "ended")}; leaving the cluster.");
                return 0;
            }
            if (which == 2)
            {
                console.Err.WriteLine("dash: " + refused.Result);
                return 2;
            }
            console.Err.WriteLine("dash: " + NodeRemovedException.Describe("the coordinator re-issued its work"));
            return RemovedExitCode;
        }
        catch (OperationCanceledException)
        {
            console.Out.WriteLine("Interrupted: leaving the cluster (the coordinator re-issues any shard this node held).");
            return 130;
        }
        finally
        {
            node.Leave(TimeSpan.FromSeconds(15));
            node.Dispose();
        }
    }
}

/// <summary>The cluster downed this node (it was unreachable): its actor system is gone; the message says what to do.</summary>
internal sealed class NodeRemovedException(string goesOn) : Exception(Describe(goesOn))
{
    /// <summary>What happened and what to do, ending with what goes on without this node.</summary>
    public static string Describe(string goesOn) =>
        $"this node was removed from the cluster (it was unreachable and the others downed it). Start it again to rejoin; {goesOn}.";
}
