// Owns one policy replica on its own thread and samples groups of completions for shards of prompts.
using System.Diagnostics;
using Akka.Actor;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>
/// A sampler: builds its model replica on start, applies weight updates by policy version, and samples only with the
/// weights the shard asks for (on-policy). When it throws, its supervisor restarts it; before the restart it hands its
/// unfinished shard back to the coordinator, which re-issues it.
/// </summary>
public sealed class SamplerActor : ReceiveActor
{
    private readonly int _id;
    private readonly IEngineFactory _factory;
    private readonly IActorRef _coordinator;
    private IPolicySampler? _engine;
    private long _version = -1;

    public SamplerActor(int id, IEngineFactory factory, IActorRef coordinator)
    {
        _id = id;
        _factory = factory;
        _coordinator = coordinator;
        Receive<WeightUpdate>(OnWeights);
        Receive<SampleShard>(OnShard);
    }

    public static Props Props(int id, IEngineFactory factory, IActorRef coordinator) =>
        Akka.Actor.Props.Create(() => new SamplerActor(id, factory, coordinator)).WithDispatcher(Dispatchers.Model);

    protected override void PreStart()
    {
        _engine = _factory.CreateSampler(_id);
        _coordinator.Tell(new SamplerReady(_id, _version));
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (message is SampleShard shard) _coordinator.Tell(new ShardFailed(_id, shard, reason.Message));
        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        _engine?.Dispose();
        _engine = null;
    }

    /// <summary>Samples one shard with an engine: the pure work of this actor (the plain-loop baseline calls it too).</summary>
    public static RolloutBatch Sample(IPolicySampler engine, SampleShard shard, long version)
    {
        var prompts = shard.Prompts.Select(p => p.PromptIds).ToArray();
        var completions = engine.Sample(prompts, shard.GroupSize, shard.Greedy, shard.Seed);
        if (completions.Count != prompts.Length * shard.GroupSize)
            throw new InvalidOperationException($"a sampler returned {completions.Count} completions for {prompts.Length}x{shard.GroupSize}.");
        var rows = new Rollout[completions.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var p = shard.Prompts[i / shard.GroupSize];
            var c = completions[i];
            rows[i] = new Rollout(p.GroupId, p.ProblemId, p.GoldAnswer, p.PromptIds, c.Tokens, c.LogProbs, c.Finish, c.Text, 0, 0, []);
        }
        return new RolloutBatch(shard.Step, shard.ShardId, version, rows);
    }

    private void OnWeights(WeightUpdate update)
    {
        if (update.PolicyVersion <= _version) return; // A duplicate or an old update: keep the newer weights.
        _engine!.LoadWeights(update.Weights);
        _version = update.PolicyVersion;
        _coordinator.Tell(new WeightsApplied(_id, _version));
    }

    private void OnShard(SampleShard shard)
    {
        if (shard.PolicyVersion != _version)
        {
            // Sampling now would be off-policy: give the shard back and say which weights this sampler holds.
            _coordinator.Tell(new ShardFailed(_id, shard, $"sampler {_id} holds policy {_version}, shard wants {shard.PolicyVersion}"));
            _coordinator.Tell(new SamplerReady(_id, _version));
            return;
        }
        var clock = Stopwatch.StartNew();
        var batch = Sample(_engine!, shard, _version);
        _coordinator.Tell(new ShardSampled(batch, _id, clock.Elapsed.TotalSeconds));
        _coordinator.Tell(new SamplerReady(_id, _version));
    }
}
