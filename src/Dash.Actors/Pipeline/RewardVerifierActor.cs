// Scores completions with the answer verifier, off the samplers' threads; runs as a round-robin pool.
using System.Diagnostics;
using Akka.Actor;
using Akka.Routing;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

public sealed class RewardVerifierActor : ReceiveActor
{
    private readonly IRewardScorer _scorer;

    public RewardVerifierActor(IRewardScorer scorer)
    {
        _scorer = scorer;
        Receive<ScoreBatch>(m => Sender.Tell(Score(_scorer, m.Batch)));
    }

    /// <summary>A pool of <paramref name="workers"/> verifiers, each with its own scorer.</summary>
    public static Props PoolProps(IEngineFactory factory, int workers) =>
        Props.Create(() => new RewardVerifierActor(factory.CreateScorer()))
            .WithDispatcher(Dispatchers.Compute)
            .WithRouter(new RoundRobinPool(workers));

    /// <summary>Fills in every row's reward.</summary>
    public static BatchScored Score(IRewardScorer scorer, RolloutBatch batch)
    {
        var clock = Stopwatch.StartNew();
        var correct = 0;
        var rows = new Rollout[batch.Rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = batch.Rows[i];
            var (reward, ok) = scorer.Score(row.GoldAnswer, row.CompletionText);
            if (ok) correct++;
            rows[i] = row with { Reward = reward };
        }
        return new BatchScored(batch with { Rows = rows }, correct, clock.Elapsed.TotalSeconds);
    }
}
