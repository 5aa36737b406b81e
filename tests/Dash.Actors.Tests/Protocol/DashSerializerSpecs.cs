// Every wire message round-trips through the explicit serializer under a stable manifest (never the JSON default).
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Actors.Tests.Protocol;

public sealed class DashSerializerSpecs() : Akka.TestKit.Xunit2.TestKit(ActorSystemConfig.Base)
{
    private static readonly Rollout Row = new(3, "p3", "42", [1, 2, 3], [4, 5], [-0.25f, -1.5f], FinishReason.Length, "\\boxed{42}", 1, 0.75f, [-0.3f, -1.4f]);
    private static readonly RolloutBatch Batch = new(7, 2, 6, [Row, Row with { GroupId = 4 }]);
    private static readonly SampleShard Shard = new(7, 1, 2, 6, [new PromptItem(0, "p0", [9, 8], "7", "sol")], 4, 0xDEADBEEFCAFEUL, false);
    private static readonly RoundTally Tally = new(32, 12.5, 12, 400, 24, 8, 2);

    public static TheoryData<object> Messages() =>
    [
        Shard, new ShardSampled(7, 1, 2, 1, 0.5), new SamplerReady(1, -1), new ShardFailed(1, Shard, "boom"),
        new ScoreBatch(Batch with { Round = 1 }, ActorRefs.Nobody), new BatchScored(Batch, 1, 0.1), new Accumulate(Batch, [[0], [1]], 32, 100),
        new RoundFiltered(7, 1, Batch, 420, Tally), new RoundLearned(7, 1, Tally, 24, 300, 0.5, 0.01, 1.5, 3e-4, 8, true, 0.3),
        new WeightUpdate(8, [1f, -2f, float.Epsilon], "AB12"), new WeightsApplied(1, 8, "AB12"),
        new WeightChunk(8, 1, 3, 1000, "AB12", [1, 2, 255]), new WeightChunkAck(8, 1), new CoordinatorHello("run-1", "dash.run.seed = 1\n"), new RunEnded("run-1", true),
        new StepReport(1, 2, 32, 0.5, 0.5, 24, 8, 2, 100, 90, 3.1, 0.2, 0.0, 1.1, 3e-4, 1, 0, 2.5, new() { ["sample"] = 1.5 }),
        new EvalReport(2, 2, 100, 40, 5.5, 3.0), new TrainingFailed("why"), new PublishWeights(9), new CheckpointSaved(3, "step-4", "AB", 0.2),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Should_round_trip_with_the_dash_serializer(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<DashSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        Assert.Matches(@"\.v\d+$", manifest);

        var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);

        Assert.Equal(Canonical(message), Canonical(back));
    }

    [Fact]
    public void Should_round_trip_an_actor_reference()
    {
        var probe = CreateTestProbe();
        var serializer = (DashSerializer)Sys.Serialization.FindSerializerFor(new SendWeightsTo(probe.Ref));
        var back = (SendWeightsTo)serializer.FromBinary(serializer.ToBinary(new SendWeightsTo(probe.Ref)), "send-weights-to.v1");
        Assert.Equal(probe.Ref, back.Sampler);
    }

    [Fact]
    public void Should_have_a_manifest_registered_by_its_protocol_for_every_wire_message()
    {
        var wire = typeof(IDashMessage).Assembly.GetTypes().Where(t => typeof(IDashMessage).IsAssignableFrom(t) && !t.IsInterface);

        Assert.Empty(wire.Except(DashSerializer.Table.Types).Select(t => t.Name));
    }

    [Fact]
    public void Should_carry_a_shards_route_to_the_verifiers_and_on()
    {
        var (verifiers, filter) = (CreateTestProbe(), CreateTestProbe());
        var shard = Shard with { Verifier = verifiers.Ref, ScoredTo = filter.Ref };
        var serializer = (DashSerializer)Sys.Serialization.FindSerializerFor(shard);

        var back = (SampleShard)serializer.FromBinary(serializer.ToBinary(shard), serializer.Manifest(shard));
        var score = (ScoreBatch)serializer.FromBinary(serializer.ToBinary(new ScoreBatch(Batch, filter.Ref)), "score-batch.v2");

        Assert.Equal((verifiers.Ref, filter.Ref, 1), (back.Verifier, back.ScoredTo, back.Round));
        Assert.Equal(filter.Ref, score.ReplyTo);
    }

    [Fact]
    public void Should_refuse_an_unknown_manifest_with_a_clear_error()
    {
        var serializer = (DashSerializer)Sys.Serialization.FindSerializerFor(new PublishWeights(1));
        var e = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "future-message.v9"));
        Assert.Contains("future-message.v9", e.Message, StringComparison.Ordinal);
    }

    // Records hold arrays (reference equality): compare their JSON renderings instead, actor references by path.
    private static string Canonical(object o) => JsonSerializer.Serialize(o, o.GetType(), Json);

    private static readonly JsonSerializerOptions Json = new() { Converters = { new RefAsPath() } };

    private sealed class RefAsPath : JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) => writer.WriteStringValue(value.Path.ToString());
    }
}
