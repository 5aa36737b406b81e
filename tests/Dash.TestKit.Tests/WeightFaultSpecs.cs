// Weight faults through the real broadcast between two nodes: a dropped chunk is sent again once the transfer stalls.
using Dash.Actors.Protocol;

namespace Dash.TestKit.Tests;

/// <summary>Slow: two nodes form a cluster, and the learner resends only after 10 s without an acknowledgement.</summary>
[Trait("Category", "EndToEnd")]
public sealed class WeightFaultSpecs : IDisposable
{
    private readonly DashHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Should_send_the_weights_again_when_a_chunk_to_another_node_is_dropped()
    {
        string[] small = ["cluster.weight-chunk=4KiB", "cluster.ack-window=2"];
        var coordinator = _harness.StartNode(DashHarness.NodeSettings("coordinator,learner", null, small), throttled: false);
        var samplers = _harness.StartNode(DashHarness.NodeSettings("sampler", coordinator, small), throttled: false);
        DashHarness.AwaitUp(coordinator, samplers);
        var learner = new FakeEngineFactory { ExtraWeights = 5000 }; // 20 KB of weights: 5 chunks of 4 KiB
        var sampler = new FakeEngineFactory { ExtraWeights = 5000 };
        _harness.WeightFaults.Drop(version: 1, chunk: 2);
        samplers.StartSamplers(sampler, 1);

        var seen = DashHarness.Until(_harness.StartCoordinator(coordinator, "dropped", DashHarness.Settings("run.steps=2", "run.eval-problems=0"), learner),
            DashHarness.IsEnd, 90);

        Assert.IsType<TrainingFinished>(seen[^1]);
        var hit = Assert.Single(_harness.WeightFaults.Hits);
        Assert.True(hit.Dropped);
        Assert.Contains(sampler.LoadedHashes, l => l.Version == 1); // version 1 arrived whole after all
        Assert.All(sampler.LoadedHashes, l => Assert.Equal(learner.LearnerHashes[l.Version], l.Sha256));
        JournalAssert.NothingLostOrDuplicated(_harness.History("dropped"), 2, 32);
    }
}
