// The coordinator's step logic: a step's rounds of sampling, the learner's reports, the step's commit, and evaluation.
using Akka.Actor;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

public sealed partial class TrainingCoordinatorActor
{
    /// <summary>Everything one training step has reported so far, round by round.</summary>
    private sealed class StepState(StepPlan plan, PromptItem[] prompts)
    {
        public StepPlan Plan { get; } = plan;
        public PromptItem[] Prompts { get; } = prompts;
        public int Round { get; set; }
        public RoundTally Tally { get; set; } = RoundTally.Empty;
        public long LearnedTokens { get; set; }
        public double Loss { get; set; }
        public double Kl { get; set; }
        public double GradNorm { get; set; }
        public double LearningRate { get; set; }
        public int Reissued { get; set; }
        public int Duplicates { get; set; }
        public DateTime Started { get; } = DateTime.UtcNow;
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
        StartRound();
    }

    /// <summary>Hands out the round's shards; their rollouts go from the samplers through the verifiers to the filter.</summary>
    private void StartRound()
    {
        var s = _current!;
        var round = s.Plan.Rounds[s.Round];
        if (!s.Plan.Samples)
        {
            // SFT: the round's batch is its prompts' reference solutions; nothing is sampled or scored.
            _phases.Enter(Phases.Learn);
            var rows = StepWork.ReferenceRows(s.Prompts[round.First..(round.First + round.Count)], _data.EncodeCompletion);
            _filter.Tell(new BatchScored(new RolloutBatch(_step, 0, _version, rows) { Round = s.Round }, rows.Length, 0));
            return;
        }
        _work = new WorkSet([.. round.Shards.Select(sh => sh.ToMessage(s.Prompts, _step, _version, s.Plan.GroupSize, greedy: false)
            with { Verifier = _verifiers, ScoredTo = _filter })], isEval: false);
        _phases.Enter(Phases.Sample);
        Dispatch();
    }

    /// <summary>The learner finished a round: go on with the next one, or (after the last) checkpoint and commit.</summary>
    private void OnRoundLearned(RoundLearned m)
    {
        var s = _current;
        if (s is null || m.Step != _step || m.Round != s.Round) return;
        s.Tally = s.Tally.Add(m.Tally);
        s.LearnedTokens += m.LearnedTokens;
        s.Loss += m.Loss;
        s.Kl += m.Kl;
        if (_work is { IsEval: false })
        {
            s.Reissued += _work.Reissued;
            s.Duplicates += _work.Duplicates;
            _work = null;
        }
        if (!m.Published)
        {
            // GRPO baseline: the next micro-batch is sampled with the same (unchanged, unpublished) weights.
            s.Round++;
            StartRound();
            return;
        }
        s.GradNorm = m.GradNorm;
        s.LearningRate = m.LearningRate;
        _version = m.PolicyVersion;
        OnStepPublished();
    }

    private void CompleteStep()
    {
        var s = _current!;
        _phases.Close();
        var t = s.Tally;
        var report = new StepReport(
            _step, _version, t.Rows, t.Rows == 0 ? 0 : (float)(t.RewardSum / t.Rows),
            t.Rows == 0 ? 0 : (double)t.Correct / t.Rows, t.Kept, t.Dropped, t.ZeroVarianceGroups,
            t.SampledTokens, s.LearnedTokens,
            t.Rows == 0 ? 0 : (double)t.SampledTokens / t.Rows, s.Loss, s.Kl, s.GradNorm, s.LearningRate,
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
        _work = new WorkSet([.. StepPlan.EvalShards(_settings, _step, heldOut.Length)
            .Select(sh => sh.ToMessage(heldOut, EvalStepId, _version, 1, greedy: true) with { Verifier = _verifiers, ScoredTo = Self })], isEval: true);
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
