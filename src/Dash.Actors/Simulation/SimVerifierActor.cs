// A simulated reward-verifier pool: scores the rewards simulated samplers encoded, taking virtual time per row, and passes them on.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

namespace Dash.Actors.Simulation;

/// <summary>
/// Replaces the verifier pool: <paramref name="workers"/> virtual workers, each batch going to the one free first
/// (lowest index on ties), scored by the real <see cref="StepWork.Score"/> with a scorer that compares the
/// simulated completion ("1" or "0") with the gold answer.
/// </summary>
public sealed class SimVerifierActor : ReceiveActor
{
    private sealed class EncodedRewardScorer : IRewardScorer
    {
        public (float Reward, bool Correct) Score(string goldAnswer, string completion) =>
            completion == goldAnswer ? (1f, true) : (0f, false);
    }

    public SimVerifierActor(SimContext sim, int workers)
    {
        var freeAt = new double[Math.Max(1, workers)];
        var scorer = new EncodedRewardScorer();
        Receive<ScoreBatch>(m =>
        {
            var worker = Array.IndexOf(freeAt, freeAt.Min());
            var now = sim.Clock.Now;
            var start = Math.Max(now, freeAt[worker]);
            var seconds = m.Batch.Rows.Length * sim.Cost.VerifierRowSeconds;
            freeAt[worker] = start + seconds;
            sim.Metrics.VerifierBusy.Add((start, start + seconds));
            var scored = StepWork.Score(scorer, m.Batch);
            sim.Clock.Schedule(freeAt[worker] - now, m.ReplyTo, scored with { Seconds = seconds }, Self);
        });
    }

    public static Props Props(SimContext sim, int workers) => Akka.Actor.Props.Create(() => new SimVerifierActor(sim, workers));
}
