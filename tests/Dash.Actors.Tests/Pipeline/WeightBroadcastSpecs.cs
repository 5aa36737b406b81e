// The chunked weight transfer: windowed chunks reassemble to the learner's exact bytes; a stalled transfer starts again.
using Akka.Actor;
using Akka.TestKit;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.TestKit;

namespace Dash.Actors.Tests.Pipeline;

public sealed class WeightBroadcastSpecs() : Akka.TestKit.Xunit2.TestKit(PipelineHarness.Config)
{
    private static float[] Weights(int n) => [.. Enumerable.Range(0, n).Select(i => MathF.Sin(i * 0.1f))];

    [Fact]
    public void Should_deliver_weights_in_windowed_chunks_that_a_sampler_reassembles_to_the_same_hash()
    {
        var factory = new FakeEngineFactory();
        var sampler = Sys.ActorOf(SamplerActor.Props(0, factory, TestActor));
        ExpectMsg<SamplerReady>();
        var broadcast = Sys.ActorOf(WeightBroadcastActor.Props(4096, 2, chunkLocal: true));
        var weights = Weights(10_000); // 40,000 bytes: 10 chunks of 4 KiB

        broadcast.Tell(new WeightBroadcastActor.AddTarget(sampler));
        broadcast.Tell(new WeightBroadcastActor.Publish(3, weights));

        var applied = ExpectMsg<WeightsApplied>(TimeSpan.FromSeconds(10));
        Assert.Equal(3, applied.PolicyVersion);
        Assert.Equal(WeightBroadcastActor.Hash(weights), applied.Sha256);
        Assert.Equal(WeightBroadcastActor.Hash(weights), Assert.Single(factory.LoadedHashes).Sha256); // what the engine loaded
    }

    [Fact]
    public void Should_keep_at_most_the_window_unacknowledged_and_start_a_stalled_transfer_again()
    {
        var target = CreateTestProbe();
        var broadcast = Sys.ActorOf(WeightBroadcastActor.Props(4096, 2, stallAfter: TimeSpan.FromMilliseconds(400), chunkLocal: true));
        broadcast.Tell(new WeightBroadcastActor.AddTarget(target.Ref));
        broadcast.Tell(new WeightBroadcastActor.Publish(1, Weights(10_000)));

        var first = target.ExpectMsg<WeightChunk>();
        var second = target.ExpectMsg<WeightChunk>();
        Assert.Equal((0, 1, 10), (first.Index, second.Index, first.Count));
        target.ExpectNoMsg(TimeSpan.FromMilliseconds(150)); // window of 2: nothing more until an acknowledgement
        broadcast.Tell(new WeightChunkAck(1, 1), target.Ref);
        Assert.Equal(2, target.ExpectMsg<WeightChunk>().Index);

        // Chunk 0's acknowledgement never comes (lost with a dropped connection): the transfer starts again.
        var again = target.ExpectMsg<WeightChunk>(TimeSpan.FromSeconds(3));
        Assert.Equal(0, again.Index);
        Assert.Equal(first.Sha256, again.Sha256);
    }
}
