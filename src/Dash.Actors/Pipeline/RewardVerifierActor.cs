// Scores completions with the answer verifier, off the samplers' threads, and passes them on; runs as a round-robin pool.
using Akka.Actor;
using Akka.Routing;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

public sealed class RewardVerifierActor : ReceiveActor
{
    private readonly IRewardScorer _scorer;

    public RewardVerifierActor(IRewardScorer scorer)
    {
        _scorer = scorer;
        Receive<ScoreBatch>(m => m.ReplyTo.Tell(StepWork.Score(_scorer, m.Batch)));
    }

    /// <summary>A pool of <paramref name="workers"/> verifiers, each with its own scorer.</summary>
    public static Props PoolProps(IEngineFactory factory, int workers) =>
        Props.Create(() => new RewardVerifierActor(factory.CreateScorer()))
            .WithDispatcher(Dispatchers.Compute)
            .WithRouter(new RoundRobinPool(workers));
}
