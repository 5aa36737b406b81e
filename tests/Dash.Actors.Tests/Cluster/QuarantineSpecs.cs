// Specifies that a node another node has quarantined (removed from the cluster) ends, instead of living on alone.
using Akka.Actor;
using Akka.Remote;
using Dash.TestKit;

namespace Dash.Actors.Tests.Cluster;

[Collection("cluster")]
public sealed class QuarantineSpecs
{
    [Fact]
    public async Task Should_shut_a_node_down_when_another_node_has_quarantined_it()
    {
        using var cluster = new DashHarness();
        var node = cluster.StartNode(DashHarness.NodeSettings("coordinator,learner", null), throttled: false);
        Assert.True(node.WaitUntilUp(TimeSpan.FromSeconds(30)), "the node never came up");

        // What remoting publishes when a peer refuses this system for good: it downed and removed this node (seen when a
        // frozen standby coordinator was thawed after the others had removed it; it downed them and lived on alone).
        node.System.EventStream.Publish(new ThisActorSystemQuarantinedEvent(node.Address, new Address("akka.tcp", "dash", "127.0.0.1", 1)));

        var ended = await Task.WhenAny(node.System.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(ended == node.System.WhenTerminated, "a quarantined node kept running");
    }
}
