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
    private sealed class StepState(PromptItem[][] rounds)
    {
        public PromptItem[][] Rounds { get; } = rounds;
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
        public Queue<(RolloutBatch Batch, int[][] Micro, int Normalizer, long Tokens, bool StepAfter)> Updates { get; } = new();
        public DateTime Started { get; } = DateTime.UtcNow;
    }

    private int SamplesPerStep => _settings.Sampling.PromptsPerStep * _settings.Sampling.GroupSize;

    /// <summary>
    /// Completion tokens the step's loss averages over (token-mean): exact once the whole batch is sampled (DASH); the
    /// GRPO baseline, which learns before the rest is sampled, extrapolates from the rows sampled so far (as TRL does
    /// per micro-batch).
    /// </summary>
    private static long StepTokens(StepState s, int samplesPerStep)
    {
        var tokens = s.Sampled.Sum(r => (long)r.CompletionIds.Length);
        return s.Sampled.Count == 0 ? 1 : Math.Max(1, tokens * samplesPerStep / s.Sampled.Count);
    }

    private long StepTokens(StepState s) => StepTokens(s, SamplesPerStep);

    private void StartStep()
    {
        if (_step >= _settings.Run.Steps)
        {
            FinishRun();
            return;
        }
        _phases.Reset();
        var prompts = _data.TrainPrompts(_step, _settings.Sampling.PromptsPerStep);
        if (_settings.Learning.Mode == LearningMode.Sft)
        {
            StartSftStep(prompts);
            return;
        }
        // DASH samples the whole batch in one round; the GRPO baseline samples one training micro-batch per round.
        var perRound = _settings.Sampling.Preemptive
            ? prompts.Length
            : Math.Max(1, _settings.Learning.MicroBatchSize / _settings.Sampling.GroupSize);
        _current = new StepState(prompts.Chunk(perRound).ToArray());
        StartRound();
    }

    private void StartRound()
    {
        var round = _current!.Round;
        _work = new WorkSet(MakeShards(_current.Rounds[round], _settings.Sampling.GroupSize, greedy: false, _step, round), isEval: false);
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
        var epochs = _settings.Learning.PpoEpochs;
        var minis = _settings.Learning.MiniBatches;
        if (epochs == 1 && minis == 1)
        {
            var last = s.Round == s.Rounds.Length - 1;
            s.Updates.Enqueue((m.Kept, m.MicroBatches, SamplesPerStep, StepTokens(s), last));
            _phases.Enter(Phases.Learn);
            NextUpdate();
            return;
        }
        // PPO: several optimizer steps per sampled batch need the pre-update log-probs for the ratio.
        _phases.Enter(Phases.Learn);
        _accumulator.Tell(new PrepareOldLogProbs(m.Kept));
    }

    private void OnOldLogProbs(OldLogProbsReady m)
    {
        var s = _current!;
        var minis = _settings.Learning.MiniBatches;
        var rows = m.Batch.Rows;
        var slices = Enumerable.Range(0, minis)
            .Select(i => rows[(i * rows.Length / minis)..((i + 1) * rows.Length / minis)])
            .Where(slice => slice.Length > 0)
            .ToArray();
        for (var epoch = 0; epoch < _settings.Learning.PpoEpochs; epoch++)
        {
            foreach (var slice in slices)
            {
                var lengths = slice.Select(r => r.PromptIds.Length + r.CompletionIds.Length).ToArray();
                var micro = Advantages.PackMicroBatches(lengths, _settings.Learning.MicroBatchSize, _settings.Learning.MicroBatchTokens);
                s.Updates.Enqueue((m.Batch with { Rows = slice }, micro, Math.Max(1, SamplesPerStep / minis), Math.Max(1, StepTokens(s) / minis), true));
            }
        }
        if (s.Updates.Count == 0) s.Updates.Enqueue((m.Batch with { Rows = [] }, [], SamplesPerStep, StepTokens(s), true));
        NextUpdate();
    }

    private void NextUpdate()
    {
        var (batch, micro, normalizer, tokens, _) = _current!.Updates.Peek();
        _accumulator.Tell(new Accumulate(batch, micro, normalizer, tokens));
    }

    private void OnAccumulated(Accumulated m)
    {
        var s = _current!;
        var (_, _, _, _, stepAfter) = s.Updates.Dequeue();
        s.LearnedTokens += m.Tokens;
        s.Loss += m.Loss;
        s.Kl += m.Kl;
        if (stepAfter)
        {
            _accumulator.Tell(new ApplyStep(_step, Publish: s.Updates.Count == 0));
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
        _version = m.PolicyVersion;
        if (s.Updates.Count > 0)
        {
            NextUpdate();
            return;
        }
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

    private void StartSftStep(PromptItem[] prompts)
    {
        var rows = prompts.Select(p => new Rollout(p.GroupId, p.ProblemId, p.GoldAnswer, p.PromptIds, _data.EncodeCompletion(p.Solution),
            [], FinishReason.Eos, p.Solution, 1, 1, [])).ToArray();
        _current = new StepState([prompts]);
        _current.Sampled.AddRange(rows);
        _current.Correct = rows.Length;
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
        _work = new WorkSet(MakeShards(_data.HeldOut(problems), 1, greedy: true, EvalStepId, 0), isEval: true);
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
