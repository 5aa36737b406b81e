// A simulated sampler: speaks the sampler protocol, makes synthetic rollouts, and takes virtual time from the cost model.
using Akka.Actor;
using Dash.Actors.Protocol;
using Dash.Tasks.Sampling;

namespace Dash.Actors.Simulation;

/// <summary>
/// Looks like <see cref="Pipeline.SamplerActor"/> to the coordinator: announces itself with
/// <see cref="SamplerReady"/>(-1), acknowledges weights with <see cref="WeightsApplied"/>, and answers a shard for the
/// policy it holds by handing the rollouts to the shard's verifiers (<see cref="ScoreBatch"/>) and telling the coordinator
/// <see cref="ShardSampled"/> then <see cref="SamplerReady"/> — after the shard's virtual sampling time plus the messages' latency. One sampler works on one shard at a time (the coordinator sends one).
/// </summary>
public sealed class SimSamplerActor : ReceiveActor
{
    private readonly int _id;
    private readonly IActorRef _coordinator;
    private readonly SimContext _sim;
    private long _version = -1;

    public SimSamplerActor(int id, IActorRef coordinator, SimContext sim)
    {
        _id = id;
        _coordinator = coordinator;
        _sim = sim;
        Receive<WeightUpdate>(OnWeights);
        Receive<SampleShard>(OnShard);
    }

    public static Props Props(int id, IActorRef coordinator, SimContext sim) =>
        Akka.Actor.Props.Create(() => new SimSamplerActor(id, coordinator, sim));

    protected override void PreStart() => _coordinator.Tell(new SamplerReady(_id, _version));

    private void OnWeights(WeightUpdate update)
    {
        // The learner scheduled this delivery at the time the last byte arrives; the acknowledgement travels back.
        _version = update.PolicyVersion;
        _sim.Metrics.Delivered(update.PolicyVersion, _sim.Clock.Now);
        _sim.Clock.Schedule(_sim.Cost.LatencySeconds, _coordinator, new WeightsApplied(_id, _version, update.Sha256), Self);
    }

    private void OnShard(SampleShard shard)
    {
        if (shard.PolicyVersion != _version)
        {
            _coordinator.Tell(new ShardFailed(_id, shard, $"sampler {_id} holds policy {_version}, shard wants {shard.PolicyVersion}"));
            _coordinator.Tell(new SamplerReady(_id, _version));
            return;
        }
        var cost = _sim.Cost;
        var batch = Sample(shard, _version, cost, out var decodeSteps, _sim.MaxNewTokens);
        var seconds = cost.SampleSeconds(batch.Rows.Length, batch.Rows.Sum(r => (long)r.PromptIds.Length), decodeSteps);
        // The shard took one latency to arrive; the result takes its bytes' transfer time to return.
        var start = _sim.Clock.Now + cost.LatencySeconds;
        var reply = cost.LatencySeconds + seconds + cost.TransferSeconds(batch.CompletionTokens * cost.RolloutBytesPerToken);
        _sim.Metrics.SamplerBusy.Add((_id, start, start + seconds));
        _sim.Clock.Schedule(reply, shard.Verifier, new ScoreBatch(batch, shard.ScoredTo), Self);
        _sim.Clock.Schedule(reply, _coordinator, new ShardSampled(shard.Step, shard.Round, shard.ShardId, _id, seconds), Self);
        _sim.Clock.Schedule(reply, _coordinator, new SamplerReady(_id, _version), Self);
    }

    /// <summary>
    /// Synthetic rollouts of a shard, a pure function of the shard: completion lengths uniform on [mean/2, 3 mean/2]
    /// (capped at the longest allowed), each completion correct with the workload's probability (its text is "1",
    /// else "0"). <paramref name="decodeSteps"/> is the longest completion: the batch decodes until it ends.
    /// </summary>
    public static RolloutBatch Sample(SampleShard shard, long version, CostModel cost, out int decodeSteps, int maxNewTokens = int.MaxValue)
    {
        var rng = new SplitMix64(shard.Seed);
        var rows = new Rollout[shard.Prompts.Length * shard.GroupSize];
        decodeSteps = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var p = shard.Prompts[i / shard.GroupSize];
            var length = SyntheticData.Spread(cost.CompletionTokens, rng.NextUInt64());
            var finish = length >= maxNewTokens ? FinishReason.Length : FinishReason.Eos;
            length = Math.Min(length, maxNewTokens);
            var correct = rng.NextDouble() < cost.CorrectProbability;
            decodeSteps = Math.Max(decodeSteps, length);
            rows[i] = new Rollout(p.GroupId, p.ProblemId, p.GoldAnswer, p.PromptIds, new int[length], new float[length], finish,
                correct ? SyntheticData.Gold : "0", 0, 0, []);
        }
        return new RolloutBatch(shard.Step, shard.ShardId, version, rows) { Round = shard.Round };
    }
}
