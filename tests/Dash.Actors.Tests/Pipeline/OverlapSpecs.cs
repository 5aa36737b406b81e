// Learning overlaps sampling: the learner's first backward pass comes before the step's last shard is sampled (order of events, not timings).
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Pipeline;

public sealed class OverlapSpecs() : Akka.TestKit.Xunit2.TestKit(PipelineHarness.Config)
{
    // One step of 4 shards (2 prompts x 4 completions each) and micro-batches of 4 rows: the first shard fills two.
    private static DashSettings Settings(string overlap) => ConfigLoader.Load(algorithm: "dash-nogf", sets: [
        "run.steps=1", "run.eval-problems=0", "sampling.prompts-per-step=8", "sampling.group-size=4", "sampling.batch-size=8",
        "sampling.samplers=1", "learning.micro-batch-size=4", $"pipeline.overlap={overlap}",
    ]).Settings;

    private const string LastShardEnds = "step 0 sample 6 end";

    private List<string> Train(DashSettings settings, InstrumentedEngines engines)
    {
        var probe = CreateTestProbe();
        Sys.ActorOf(TrainingCoordinatorActor.Props(settings, FakeData.BuiltIn, engines, probe.Ref));
        var end = probe.FishForMessage(m => m is TrainingFinished or TrainingFailed, TimeSpan.FromSeconds(60));
        Assert.IsType<TrainingFinished>(end);
        return [.. engines.Events];
    }

    [Fact]
    public void Should_start_backprop_on_the_first_micro_batch_while_the_last_shard_is_still_being_sampled()
    {
        // The last shard waits until the learner has accumulated (30 s at most): only an overlapping pipeline lets it go at once.
        var engines = new InstrumentedEngines(new FakeEngineFactory()) { HoldShard = 6 };

        var events = Train(Settings("on"), engines);

        Assert.True(events.IndexOf("accumulate") >= 0 && events.IndexOf("accumulate") < events.IndexOf(LastShardEnds), string.Join(", ", events));
        Assert.Equal(8, events.Count(e => e == "accumulate")); // 32 rows in micro-batches of 4, all kept
    }

    [Fact]
    public void Should_learn_only_once_the_whole_round_is_sampled_when_overlap_is_off()
    {
        var engines = new InstrumentedEngines(new FakeEngineFactory()) { HoldShard = 6, HoldLimit = TimeSpan.FromSeconds(1) };

        var events = Train(Settings("off"), engines);

        Assert.True(events.IndexOf("accumulate") > events.IndexOf(LastShardEnds), string.Join(", ", events));
    }
}
