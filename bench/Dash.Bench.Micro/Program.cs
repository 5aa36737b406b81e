// Micro-benchmarks (BenchmarkDotNet) of the per-step work the actors do besides sampling and learning:
//   dotnet run -c Release --project bench/Dash.Bench.Micro -- --filter '*'
using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Dash.Actors.Algorithm;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

BenchmarkSwitcher.FromAssembly(typeof(Dash.Bench.Micro.PipelineBenchmarks).Assembly).Run(args);

namespace Dash.Bench.Micro
{

    /// <summary>One default DASH step's worth of messages: 128 rollouts (32 prompts x 4), a 1 MiB weight chunk, 9.6 MB of weights.</summary>
    [ShortRunJob]
    [MemoryDiagnoser]
    public class PipelineBenchmarks
    {
        private ActorSystem _system = null!;
        private DashSerializer _serializer = null!;
        private ScoreBatch _shard = null!;
        private byte[] _shardBytes = [];
        private WeightChunk _chunk = null!;
        private byte[] _chunkBytes = [];
        private float[] _weights = [];
        private float[] _rewards = [];
        private int[] _groups = [];
        private int[] _lengths = [];

        [GlobalSetup]
        public void Setup()
        {
            _system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = ERROR").WithFallback(ActorSystemConfig.Base));
            _serializer = new DashSerializer((ExtendedActorSystem)_system);
            var random = new Random(1);
            var rows = Enumerable.Range(0, 128).Select(i => new Rollout(i / 4, $"p{i / 4}", "42", [.. Enumerable.Range(0, 24)],
                [.. Enumerable.Range(0, 48)], [.. Enumerable.Range(0, 48).Select(_ => -(float)random.NextDouble())], FinishReason.Eos,
                "12 + 30 = 42 so the answer is \\boxed{42}", random.Next(2), 0, [])).ToArray();
            _shard = new ScoreBatch(new RolloutBatch(3, 0, 3, rows), ActorRefs.Nobody);
            _shardBytes = _serializer.ToBinary(_shard);
            _chunk = new WeightChunk(3, 1, 10, 2_400_000, new string('A', 64), new byte[1 << 20]);
            _chunkBytes = _serializer.ToBinary(_chunk);
            _weights = [.. Enumerable.Range(0, 2_400_000).Select(_ => (float)random.NextDouble())];
            _rewards = [.. rows.Select(r => r.Reward)];
            _groups = [.. rows.Select(r => r.GroupId)];
            _lengths = [.. rows.Select(r => r.PromptIds.Length + r.CompletionIds.Length)];
        }

        [GlobalCleanup]
        public void Cleanup() => _system.Terminate().Wait();

        [Benchmark(Description = "serialize 128 rollouts (ScoreBatch)")]
        public byte[] SerializeRollouts() => _serializer.ToBinary(_shard);

        [Benchmark(Description = "deserialize 128 rollouts (ScoreBatch)")]
        public object DeserializeRollouts() => _serializer.FromBinary(_shardBytes, "score-batch.v2");

        [Benchmark(Description = "serialize a 1 MiB weight chunk")]
        public byte[] SerializeChunk() => _serializer.ToBinary(_chunk);

        [Benchmark(Description = "deserialize a 1 MiB weight chunk")]
        public object DeserializeChunk() => _serializer.FromBinary(_chunkBytes, "weight-chunk.v1");

        [Benchmark(Description = "SHA-256 of 9.6 MB of weights")]
        public string HashWeights() => WeightBroadcastActor.Hash(_weights);

        [Benchmark(Description = "advantages + filter, 128 rows")]
        public object Filter() => Advantages.Filter(_rewards, _groups, scaleByStd: false, tau: 0.1f);

        [Benchmark(Description = "pack 128 rows into micro-batches of 16")]
        public int[][] Pack() => Advantages.PackMicroBatches(_lengths, 16, 0);
    }
}
