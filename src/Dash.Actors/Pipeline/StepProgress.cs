// What one training step has reported so far, round by round, and the step's report once it is learned.
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>One training step in progress: its plan and prompts, the round under way, and the learner's and samplers' tallies.</summary>
internal sealed class StepProgress(StepPlan plan, PromptItem[] prompts)
{
    private readonly DateTime _started = DateTime.UtcNow;
    private RoundTally _tally = RoundTally.Empty;
    private long _learnedTokens;
    private double _loss, _kl, _gradNorm, _learningRate;
    private int _reissued, _duplicates;

    /// <summary>Training step <paramref name="step"/>: its plan and its prompts.</summary>
    public static StepProgress For(Settings.DashSettings settings, ITrainingData data, long step)
    {
        var plan = StepPlan.For(settings, step);
        return new StepProgress(plan, data.TrainPrompts(step, plan.PromptsPerStep));
    }

    public StepPlan Plan { get; } = plan;
    public PromptItem[] Prompts { get; } = prompts;
    public int Round { get; private set; }
    public RoundPlan Current => Plan.Rounds[Round];

    /// <summary>With a lag: the coordinator's wall seconds per phase while this step was the one being sampled (its sampling,
    /// waiting for the step before it, and the weight sync after it), set once the next step starts.</summary>
    public Dictionary<string, double>? FrontSeconds { get; set; }

    /// <summary>The learner's version after the step's optimizer step (once learned).</summary>
    public long Version { get; private set; } = -1;

    /// <summary>With a policy lag: the step's sampling is done (the samplers go on to the next step before it is learned).</summary>
    public void Sampled(WorkSet work)
    {
        _reissued += work.Reissued;
        _duplicates += work.Duplicates;
    }

    /// <summary>Adds a learned round (and the sampling work behind it, if any); true when it was the step's last (the
    /// optimizer stepped and the weights are being published), false when the next round follows.</summary>
    public bool Learned(RoundLearned m, WorkSet? work)
    {
        _tally = _tally.Add(m.Tally);
        _learnedTokens += m.LearnedTokens;
        _loss += m.Loss;
        _kl += m.Kl;
        if (work is not null)
        {
            _reissued += work.Reissued;
            _duplicates += work.Duplicates;
        }
        if (!m.Published)
        {
            Round++;
            return false;
        }
        _gradNorm = m.GradNorm;
        _learningRate = m.LearningRate;
        Version = m.PolicyVersion;
        return true;
    }

    /// <summary>The step's report; <paramref name="phases"/> are wall seconds per phase of the coordinator's clock, to which
    /// the verifiers' and the advantage filter's busy seconds are added (they run beside sampling).</summary>
    /// <param name="wallSeconds">The step's share of training wall time (with a lag steps overlap: the time since the
    /// step before was committed); null: since the step began.</param>
    public StepReport Report(long version, IReadOnlyDictionary<string, double> phases, double? wallSeconds = null)
    {
        var t = _tally;
        var seconds = new Dictionary<string, double>(phases) { [Phases.Reward] = t.RewardSeconds, [Phases.Advantage] = t.AdvantageSeconds };
        return new StepReport(
            Plan.Step, version, t.Rows, t.Rows == 0 ? 0 : (float)(t.RewardSum / t.Rows),
            t.Rows == 0 ? 0 : (double)t.Correct / t.Rows, t.Kept, t.Dropped, t.ZeroVarianceGroups,
            t.SampledTokens, _learnedTokens,
            t.Rows == 0 ? 0 : (double)t.SampledTokens / t.Rows, _loss, _kl, _gradNorm, _learningRate,
            _reissued, _duplicates, wallSeconds ?? (DateTime.UtcNow - _started).TotalSeconds, seconds);
    }
}
