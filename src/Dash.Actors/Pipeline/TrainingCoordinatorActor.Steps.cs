// The coordinator's step logic: rounds of sampling, filtering, PPO updates, optimizer steps and evaluation.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

public sealed partial class TrainingCoordinatorActor
{
    /// <summary>Everything accumulated during one optimizer step.</summary>
    private sealed class StepState(StepPlan plan, PromptItem[] prompts)
    {
        public StepPlan Plan { get; } = plan;
        public PromptItem[] Prompts { get; } = prompts;
        public int Round { get; set; }
        public List<Rollout> Sampled { get; } = [];
        public int Correct { get; set; }
        public int Kept { get; set; }
        public int Dropped { get; set; }
        public int ZeroVarianceGroups { get; set; }
        public long LearnedTokens { get; set; }
        public double Loss { get; set; }
        public double Kl { get; set; }
        public double GradNorm { get; set; }
        public double LearningRate { get; set; }
        public int Reissued { get; set; }
        public int Duplicates { get; set; }
        public Queue<LearnUpdate> Updates { get; } = new();
        public DateTime Started { get; } = DateTime.UtcNow;

        /// <summary>The token normaliser given the rows sampled so far (see <see cref="StepPlan.TokenNormalizer"/>).</summary>
        public long Tokens => Plan.TokenNormalizer(Sampled.Sum(r => (long)r.CompletionIds.Length), Sampled.Count);
    }

    private void StartStep()
    {
        if (_step >= _settings.Run.Steps)
        {
            FinishRun();
            return;
        }
        _phases.Reset();
        var plan = StepPlan.For(_settings, _step);
        _current = new StepState(plan, _data.TrainPrompts(_step, plan.PromptsPerStep));
        if (!plan.Samples)
        {
            StartSftStep();
            return;
        }
        StartRound();
    }

    private void StartRound()
    {
        var s = _current!;
        var round = s.Plan.Rounds[s.Round];
        _work = new WorkSet([.. round.Shards.Select(sh => sh.ToMessage(s.Prompts, _step, _version, s.Plan.GroupSize, greedy: false))], isEval: false);
        _phases.Enter(Phases.Sample);
        Dispatch();
    }

    private void RoundScored()
    {
        var rows = _work!.Rows();
        _current!.Sampled.AddRange(rows);
        _current.Correct += _work.Correct;
        _current.Reissued += _work.Reissued;
        _current.Duplicates += _work.Duplicates;
        _work = null;
        _phases.Enter(Phases.Advantage);
        _filter.Tell(new FilterBatch(new RolloutBatch(_step, -1, _version, rows)));
    }

    private void OnBatchFiltered(BatchFiltered m)
    {
        var s = _current!;
        s.Kept += m.Kept.Rows.Length;
        s.Dropped += m.Dropped;
        s.ZeroVarianceGroups += m.ZeroVarianceGroups;
        _phases.Enter(Phases.Learn);
        if (s.Plan.ReusesBatch)
        {
            // PPO: several optimizer steps per sampled batch need the pre-update log-probs for the ratio.
            _accumulator.Tell(new PrepareOldLogProbs(m.Kept));
            return;
        }
        Enqueue(s.Plan.Updates(s.Round, m, s.Tokens));
    }

    private void OnOldLogProbs(OldLogProbsReady m) => Enqueue(_current!.Plan.PpoUpdates(m.Batch, _current.Tokens));

    private void Enqueue(LearnUpdate[] updates)
    {
        foreach (var update in updates) _current!.Updates.Enqueue(update);
        NextUpdate();
    }

    private void NextUpdate()
    {
        var u = _current!.Updates.Peek();
        _accumulator.Tell(new Accumulate(u.Batch, u.MicroBatches, u.NormalizerRows, u.NormalizerTokens));
    }

    private void OnAccumulated(Accumulated m)
    {
        var s = _current!;
        var stepAfter = s.Updates.Dequeue().StepAfter;
        s.LearnedTokens += m.Tokens;
        s.Loss += m.Loss;
        s.Kl += m.Kl;
        if (stepAfter)
        {
            // Samplers get new weights once per training step: after the last optimizer step of its last round.
            _accumulator.Tell(new ApplyStep(_step, Publish: s.Updates.Count == 0 && s.Plan.IsLastRound(s.Round)));
            return;
        }
        if (s.Updates.Count > 0)
        {
            NextUpdate();
            return;
        }
        // GRPO baseline: the next micro-batch is sampled with the same (unchanged) weights.
        s.Round++;
        StartRound();
    }

    private void OnStepApplied(StepApplied m)
    {
        var s = _current!;
        s.GradNorm = m.GradNorm;
        s.LearningRate = m.LearningRate;
        if (s.Updates.Count > 0)
        {
            NextUpdate();
            return;
        }
        if (!s.Plan.IsLastRound(s.Round))
        {
            // GRPO baseline with PPO mini-batches: the learner stepped, but the step's later rounds are still sampled
            // with the weights the samplers hold (published once, after the last round).
            s.Round++;
            StartRound();
            return;
        }
        _version = m.PolicyVersion;
        OnStepPublished();
    }

    private void CompleteStep()
    {
        var s = _current!;
        _phases.Close();
        var rows = s.Sampled;
        var report = new StepReport(
            _step, _version, rows.Count, rows.Count == 0 ? 0 : rows.Average(r => r.Reward),
            rows.Count == 0 ? 0 : (double)s.Correct / rows.Count, s.Kept, s.Dropped, s.ZeroVarianceGroups,
            rows.Sum(r => (long)r.CompletionIds.Length), s.LearnedTokens,
            rows.Count == 0 ? 0 : rows.Average(r => r.CompletionIds.Length), s.Loss, s.Kl, s.GradNorm, s.LearningRate,
            s.Reissued, s.Duplicates, (DateTime.UtcNow - s.Started).TotalSeconds, new Dictionary<string, double>(_phases.Seconds));
        foreach (var (phase, seconds) in _phases.Seconds) _totalPhases[phase] = _totalPhases.GetValueOrDefault(phase) + seconds;
        Commit(report, () =>
        {
            _current = null;
            _step++;
            if (EvalDue(_step)) StartEval(then: StartStep);
            else StartStep();
        });
    }

    /// <summary>SFT: the step's batch is its prompts' reference solutions; nothing is sampled.</summary>
    private void StartSftStep()
    {
        var s = _current!;
        var rows = StepWork.ReferenceRows(s.Prompts, _data.EncodeCompletion);
        s.Sampled.AddRange(rows);
        s.Correct = rows.Length;
        _phases.Enter(Phases.Advantage);
        _filter.Tell(new FilterBatch(new RolloutBatch(_step, -1, _version, rows)));
    }

    // ---- evaluation --------------------------------------------------------------------------------------------------

    private Action? _afterEval;

    /// <summary>Whether a held-out evaluation belongs after <paramref name="steps"/> steps: before training, every eval-every steps, at the end.</summary>
    private bool EvalDue(long steps) =>
        steps == 0 || steps >= _settings.Run.Steps || (_settings.Run.EvalEvery > 0 && steps % _settings.Run.EvalEvery == 0);

    private void StartEval(Action then)
    {
        var problems = _settings.Run.EvalProblems;
        if (problems == 0)
        {
            then();
            return;
        }
        _afterEval = then;
        _evalClock.Restart();
        _phases.Enter(Phases.Eval);
        // The same list, shards and scorer as Evaluator (dash eval), so a checkpoint's number is reproducible.
        var heldOut = _data.HeldOut(problems);
        _work = new WorkSet([.. StepPlan.EvalShards(_settings, _step, heldOut.Length).Select(sh => sh.ToMessage(heldOut, EvalStepId, _version, 1, greedy: true))], isEval: true);
        Dispatch();
    }

    private void FinishEval()
    {
        var rows = _work!.Rows();
        var report = new EvalReport(_step, _version, rows.Length, _work.Correct,
            rows.Length == 0 ? 0 : rows.Average(r => r.CompletionIds.Length), _evalClock.Elapsed.TotalSeconds)
        {
            Levels = Evaluator.ByLevel(rows.Select(r => (_data.LevelOf(r.ProblemId), r.Reward > 0.5f))),
        };
        _work = null;
        _phases.Close();
        _totalPhases[Phases.Eval] = _totalPhases.GetValueOrDefault(Phases.Eval) + report.Seconds;
        _firstEval ??= report;
        _lastEval = report;
        var next = _afterEval;
        _afterEval = null;
        RecordEval(report, () => next?.Invoke());
    }

    private void Finish()
    {
        _listener.Tell(new TrainingFinished(_step, _version, _firstEval, _lastEval, _runClock.Elapsed.TotalSeconds,
            new Dictionary<string, double>(_totalPhases)));
        if (_parts.Cluster)
        {
            foreach (var member in Akka.Cluster.Cluster.Get(Context.System).State.Members)
                Context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterRoles.NodeAgentName).Tell(new RunEnded(_run.RunId, Finished: true));
        }
        Become(() => CommandAny(_ => { }));
    }
}
