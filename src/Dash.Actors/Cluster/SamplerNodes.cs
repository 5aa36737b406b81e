// How a coordinator finds sampler nodes: it greets each one that is up, and greets again those whose samplers never registered.
using Akka.Actor;
using Akka.Cluster;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Actors.Cluster;

/// <summary>The coordinator's side of the cluster greeting (a greeting can be lost, or a node can come up before its samplers exist).</summary>
public static class SamplerNodes
{
    /// <summary>The coordinator's timer message to greet again (<see cref="Regreet"/>).</summary>
    public sealed class RegreetTick
    {
        public static readonly RegreetTick Instance = new();
    }

    /// <summary>Subscribes <paramref name="coordinator"/> to members coming up, becoming unreachable and leaving.</summary>
    public static void Watch(ActorSystem system, IActorRef coordinator) =>
        Akka.Cluster.Cluster.Get(system).Subscribe(coordinator, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));

    /// <summary>Tells a sampler node that the coordinator of <paramref name="runId"/> is up (its samplers then register
    /// unless the node's training settings differ from <paramref name="settings"/>, the run's config.conf text).</summary>
    public static void Greet(IActorContext context, Member member, string runId, string settings)
    {
        if (member.HasRole(ClusterRoles.Sampler))
            context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterRoles.SamplerHostName).Tell(new CoordinatorHello(runId, settings));
    }

    /// <summary>Greets again every reachable node none of whose samplers is in <paramref name="registered"/>.</summary>
    public static void Regreet(IActorContext context, IEnumerable<IActorRef> registered, string runId, string settings)
    {
        var state = Akka.Cluster.Cluster.Get(context.System).State;
        var known = registered.Select(r => r.Path.Address).ToHashSet();
        foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up && !state.Unreachable.Contains(m) && !known.Contains(m.Address)))
            Greet(context, member, runId, settings);
    }

    /// <summary>Keys that may differ from node to node: where each node's actors compute and how many it hosts.</summary>
    public static readonly string[] NodeLocalKeys =
    [
        "dash.model.device", "dash.model.threads", "dash.sampling.devices", "dash.learning.device", "dash.learning.reference-device",
    ];

    /// <summary>
    /// Why a sampler node with training settings <paramref name="node"/> must not serve the run started with
    /// <paramref name="coordinator"/> (both config.conf texts), naming the keys that differ; null when they agree up to the
    /// keys a resumed run may change and the node-local ones. A sampler with other sampling settings would change the
    /// run's results while it looked healthy.
    /// </summary>
    public static string? SettingsMismatch(string runId, string coordinator, string node)
    {
        if (coordinator.Length == 0 || node.Length == 0) return null;
        var changed = RunDecisions.ChangedKeys(coordinator, node).Where(k => !NodeLocalKeys.Contains(k)).ToArray();
        return changed.Length == 0 ? null
            : $"this node's training settings differ from those of run {runId} on the coordinator: {string.Join(", ", changed)}. Every node must " +
              "get the same training settings (the same --config files and --set keys, but for devices and threads); start this node again with them.";
    }

    /// <summary>Tells every node's agent that the run is over (sampler nodes then leave the cluster).</summary>
    public static void EndRun(IActorContext context, string runId)
    {
        foreach (var member in Akka.Cluster.Cluster.Get(context.System).State.Members)
            context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterRoles.NodeAgentName).Tell(new RunEnded(runId, Finished: true));
    }
}
