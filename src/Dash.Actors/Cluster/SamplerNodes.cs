// How a coordinator finds sampler nodes: it greets each one that is up, and greets again those whose samplers never registered.
using Akka.Actor;
using Akka.Cluster;
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

    /// <summary>Tells a sampler node that the coordinator of <paramref name="runId"/> is up (its samplers then register).</summary>
    public static void Greet(IActorContext context, Member member, string runId)
    {
        if (member.HasRole(ClusterRoles.Sampler))
            context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterRoles.SamplerHostName).Tell(new CoordinatorHello(runId));
    }

    /// <summary>Greets again every reachable node none of whose samplers is in <paramref name="registered"/>.</summary>
    public static void Regreet(IActorContext context, IEnumerable<IActorRef> registered, string runId)
    {
        var state = Akka.Cluster.Cluster.Get(context.System).State;
        var known = registered.Select(r => r.Path.Address).ToHashSet();
        foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up && !state.Unreachable.Contains(m) && !known.Contains(m.Address)))
            Greet(context, member, runId);
    }

    /// <summary>Tells every node's agent that the run is over (sampler nodes then leave the cluster).</summary>
    public static void EndRun(IActorContext context, string runId)
    {
        foreach (var member in Akka.Cluster.Cluster.Get(context.System).State.Members)
            context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterRoles.NodeAgentName).Tell(new RunEnded(runId, Finished: true));
    }
}
