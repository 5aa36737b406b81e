// What the coordinator reports after every step, evaluation and at the end (for displays, metrics files and tests).
namespace Dash.Actors.Protocol;

/// <summary>Named, timed phases of a training step.</summary>
public static class Phases
{
    public const string Sample = "sample";
    public const string Reward = "reward";
    public const string Advantage = "advantage";
    public const string Learn = "learn";
    public const string WeightSync = "weight-sync";
    public const string Checkpoint = "checkpoint";
    public const string Eval = "eval";
    public static readonly string[] All = [Sample, Reward, Advantage, Learn, WeightSync, Checkpoint, Eval];
}

/// <summary>One optimizer step's numbers.</summary>
public sealed record StepReport(
    long Step, long PolicyVersion, int Samples, double RewardMean, double TrainAccuracy, int Kept, int Dropped,
    int ZeroVarianceGroups, long SampledTokens, long LearnedTokens, double MeanCompletionLength, double Loss, double Kl,
    double GradNorm, double LearningRate, int ReissuedShards, int DuplicateShards, double Seconds,
    Dictionary<string, double> PhaseSeconds) : IDashMessage;

/// <summary>A held-out evaluation (greedy pass@1).</summary>
public sealed record EvalReport(long Step, long PolicyVersion, int Problems, int Correct, double MeanCompletionLength, double Seconds)
    : IDashMessage
{
    public double Accuracy => Problems == 0 ? 0 : (double)Correct / Problems;

    /// <summary>Greedy pass@1 per difficulty level, ordered by level (empty when the problems have no levels or the
    /// record predates it).</summary>
    public IReadOnlyList<LevelScore> Levels { get; init; } = [];

    /// <summary>Shards of the evaluation handed to another sampler after one failed or was lost (0 in older records).</summary>
    public int ReissuedShards { get; init; }
}

/// <summary>Greedy pass@1 on the problems of one level ("Level 2").</summary>
public sealed record LevelScore(string Level, int Problems, int Correct)
{
    public double Accuracy => Problems == 0 ? 0 : (double)Correct / Problems;
}

/// <summary>Training is over.</summary>
public sealed record TrainingFinished(long Steps, long PolicyVersion, EvalReport? First, EvalReport? Last, double Seconds,
    Dictionary<string, double> PhaseSeconds) : IDashMessage;

/// <summary>Training stopped on an error the user must see.</summary>
public sealed record TrainingFailed(string Reason) : IDashMessage;

/// <summary>A change in the samplers the coordinator works with (cluster mode: nodes joining and leaving).</summary>
public sealed record SamplersChanged(string Message, int Samplers) : IDashMessage;
