// The real coordinator, learner and samplers on several ActorSystems forming an Akka cluster over loopback.
using Akka.Actor;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.TestKit;
using Xunit.Abstractions;

namespace Dash.Actors.Tests.Cluster;

[Collection("cluster")]
public sealed class ClusterSpecs(ITestOutputHelper output)
{
    private static readonly string[] Small = ["cluster.weight-chunk=4KiB", "cluster.ack-window=2"];

    /// <summary>The final learner state of the same run in one process (the cluster must reproduce it exactly).</summary>
    private static string SingleProcessResult()
    {
        using var single = new DashHarness();
        var journal = new Dash.Actors.Persistence.SqliteJournal(single.JournalPath);
        journal.Verify();
        single.RunToEnd(() => ActorSystem.Create("single", journal.ToHocon().WithFallback(Dash.Actors.Persistence.RunEventSerializer.Hocon)
            .WithFallback(ActorSystemConfig.Base)), "same");
        return single.FinalLearnerState("same");
    }

    [Fact]
    public void Should_train_with_samplers_on_other_nodes_exactly_like_one_process()
    {
        using var cluster = new DashHarness();
        var coordinator = cluster.StartNode(DashHarness.NodeSettings("coordinator,learner", null, Small));
        var a = cluster.StartNode(DashHarness.NodeSettings("sampler", coordinator, Small));
        var b = cluster.StartNode(DashHarness.NodeSettings("sampler", coordinator, Small));
        DashHarness.AwaitUp(coordinator, a, b);
        var learnerFactory = new FakeEngineFactory { ExtraWeights = 5000 };
        var factoryA = new FakeEngineFactory { ExtraWeights = 5000 };
        var factoryB = new FakeEngineFactory { ExtraWeights = 5000 };
        a.StartSamplers(factoryA, 1);
        b.StartSamplers(factoryB, 1);
        var inbox = cluster.StartCoordinator(coordinator, "same", DashHarness.Settings(), learnerFactory);

        var seen = DashHarness.Until(inbox, DashHarness.IsEnd, 120);

        Assert.IsType<TrainingFinished>(seen[^1]);
        var steps = seen.OfType<StepReport>().ToArray();
        Assert.Equal(6, steps.Length);
        Assert.All(steps, s => Assert.Equal(32, s.Samples));
        Assert.All(steps, s => Assert.Equal(0, s.DuplicateShards));
        // Work pulling: both sampler nodes sampled.
        Assert.True(factoryA.SampleCalls > 0 && factoryB.SampleCalls > 0, $"sample calls: {factoryA.SampleCalls} and {factoryB.SampleCalls}");
        // Broadcast integrity: every weight vector a remote sampler loaded hashes to what the learner published for that version
        // (20 KB of weights in 4 KiB chunks, two in flight).
        var loaded = factoryA.LoadedHashes.Concat(factoryB.LoadedHashes).ToArray();
        Assert.True(loaded.Length >= 2 * 7, $"{loaded.Length} weight loads");
        Assert.All(loaded, l => Assert.Equal(learnerFactory.LearnerHashes[l.Version], l.Sha256));
        Assert.Equal(SingleProcessResult(), cluster.FinalLearnerState("same"));
        Assert.True(a.RunEnded.IsCompleted || SpinWait.SpinUntil(() => a.RunEnded.IsCompleted, TimeSpan.FromSeconds(10)), "sampler nodes hear that the run ended");
    }

    [Fact]
    public async Task Should_keep_a_sampler_node_with_other_training_settings_out_of_the_run_and_say_which_keys_differ()
    {
        using var cluster = new DashHarness();
        var coordinator = cluster.StartNode(DashHarness.NodeSettings("coordinator,learner", null));
        var good = cluster.StartNode(DashHarness.NodeSettings("sampler", coordinator));
        var odd = cluster.StartNode(DashHarness.NodeSettings("sampler", coordinator));
        DashHarness.AwaitUp(coordinator, good, odd);
        var config = DashHarness.Settings();
        var oddFactory = new FakeEngineFactory();
        // Devices and threads may differ from node to node; the sampling temperature may not.
        good.StartSamplers(new FakeEngineFactory(), 1, DashHarness.Settings("model.threads=1").Text);
        odd.StartSamplers(oddFactory, 1, DashHarness.Settings("sampling.temperature=0.5").Text);
        var inbox = cluster.StartCoordinator(coordinator, "same", config, new FakeEngineFactory());

        var seen = DashHarness.Until(inbox, DashHarness.IsEnd, 120);

        Assert.IsType<TrainingFinished>(seen[^1]);
        var reason = await odd.Refused.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("dash.sampling.temperature", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("dash.model.threads", reason, StringComparison.Ordinal);
        Assert.False(good.Refused.IsCompleted);
        Assert.Equal(0, oddFactory.SampleCalls);
        Assert.Equal(SingleProcessResult(), cluster.FinalLearnerState("same"));
    }

    [Fact]
    public void Should_reissue_the_shard_of_an_unreachable_sampler_node_and_lose_nothing()
    {
        using var cluster = new DashHarness();
        var coordinator = cluster.StartNode(DashHarness.NodeSettings("coordinator,learner", null));
        var nodes = Enumerable.Range(0, 3).Select(_ => cluster.StartNode(DashHarness.NodeSettings("sampler", coordinator))).ToArray();
        DashHarness.AwaitUp([coordinator, .. nodes]);
        var doomed = new FakeEngineFactory();
        nodes[0].StartSamplers(doomed, 1);
        nodes[1].StartSamplers(new FakeEngineFactory(), 1);
        nodes[2].StartSamplers(new FakeEngineFactory(), 1);
        var inbox = cluster.StartCoordinator(coordinator, "same", DashHarness.Settings(), new FakeEngineFactory());
        DashHarness.Until(inbox, m => m is StepReport, 60);

        // The doomed node's sampler takes its next shard and hangs on it; then the whole node dies.
        doomed.Gate = new SemaphoreSlim(0);
        var entered = doomed.SampleEntered;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref doomed.SampleEntered) == entered && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.True(doomed.SampleEntered > entered, "the doomed sampler never took a shard");
        var killed = DateTime.UtcNow;
        cluster.Isolate(nodes[0]);

        var gone = DashHarness.Until(inbox, m => m is TrainingWarning w && w.Message.Contains("is gone", StringComparison.Ordinal), 60);
        output.WriteLine($"{((TrainingWarning)gone[^1]).Message} ({(DateTime.UtcNow - killed).TotalSeconds:0.0} s after the node was cut off)");
        var seen = gone.Concat(DashHarness.Until(inbox, DashHarness.IsEnd, 120)).ToList();
        doomed.Gate.Release(100);
        Assert.IsType<TrainingFinished>(seen[^1]);
        Assert.Contains("1 shard(s) re-issued", ((TrainingWarning)gone[^1]).Message, StringComparison.Ordinal);
        var steps = seen.OfType<StepReport>().ToArray();
        Assert.Contains(steps, s => s.ReissuedShards >= 1);
        Assert.All(steps, s => Assert.Equal(32, s.Samples));
        Assert.All(steps, s => Assert.Equal(0, s.DuplicateShards));
        Assert.Equal(SingleProcessResult(), cluster.FinalLearnerState("same"));
    }

    [Fact]
    public void Should_move_the_coordinator_to_another_node_when_its_node_crashes_and_resume_from_the_journal()
    {
        using var cluster = new DashHarness();
        var first = cluster.StartNode(DashHarness.NodeSettings("coordinator,learner", null));
        var second = cluster.StartNode(DashHarness.NodeSettings("coordinator,learner", first));
        var sampler = cluster.StartNode(DashHarness.NodeSettings("sampler", first));
        DashHarness.AwaitUp(first, second, sampler);
        sampler.StartSamplers(new FakeEngineFactory(), 2);
        var config = DashHarness.Settings();
        var firstInbox = cluster.StartCoordinator(first, "same", config, new FakeEngineFactory());
        var secondInbox = cluster.StartCoordinator(second, "same", config, new FakeEngineFactory());
        DashHarness.Until(firstInbox, m => m is StepReport { Step: 1 }, 60);

        var killed = DateTime.UtcNow;
        DashHarness.Crash(first);

        var seen = DashHarness.Until(secondInbox, DashHarness.IsEnd, 120);
        output.WriteLine($"the singleton finished the run on the second node {(DateTime.UtcNow - killed).TotalSeconds:0.0} s after the crash");
        Assert.IsType<TrainingFinished>(seen[^1]);
        var resumed = seen.OfType<StepReport>().ToArray();
        Assert.NotEmpty(resumed);
        Assert.True(resumed[0].Step >= 2, $"the second coordinator started at step {resumed[0].Step}: committed steps must not run again");
        Assert.Equal(5, resumed[^1].Step);
        Assert.Equal(SingleProcessResult(), cluster.FinalLearnerState("same"));
    }
}
