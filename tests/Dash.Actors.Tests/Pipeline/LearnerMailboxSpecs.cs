// The learner's mailbox lets a publish request pass the micro-batches queued before it (with a policy lag the samplers
// wait for it while the learner works through the next step), and keeps every other message in order.
using Akka.Actor;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Actors.Tests.Pipeline;

public sealed class LearnerMailboxSpecs() : Akka.TestKit.Xunit2.TestKit(ActorSystemConfig.Base)
{
    private sealed class Recorder : ReceiveActor
    {
        public Recorder(SemaphoreSlim gate, IActorRef report)
        {
            ReceiveAny(m =>
            {
                report.Tell(m);
                if (m is "block") gate.Wait(); // Busy: what arrives now queues.
            });
        }
    }

    [Fact]
    public void Should_take_a_publish_request_before_the_queued_work_and_the_rest_in_order()
    {
        using var gate = new SemaphoreSlim(0);
        var learner = Sys.ActorOf(Props.Create(() => new Recorder(gate, TestActor)).WithMailbox(Dispatchers.LearnerMailbox));

        learner.Tell("block");
        ExpectMsg("block");
        foreach (var m in new object[] { "micro-1", "micro-2", new PublishWeights(3), "micro-3", "round-filtered" }) learner.Tell(m);
        gate.Release();

        Assert.Equal(new PublishWeights(3), ExpectMsg<PublishWeights>());
        Assert.Equal(["micro-1", "micro-2", "micro-3", "round-filtered"], new[] { ExpectMsg<string>(), ExpectMsg<string>(), ExpectMsg<string>(), ExpectMsg<string>() });
    }
}
