// The learning-rate schedule: constant or linear decay to zero, with optional linear warm-up (as Hugging Face's).
namespace Dash.Model.Optim;

public enum ScheduleKind { Constant, Linear }

/// <summary>
/// lr(s) for the s-th optimizer step (s = 0, 1, …): warm-up s / W for s &lt; W, then 1 (constant) or
/// max(0, (total − s) / (total − W)) (linear), times <see cref="PeakLearningRate"/>; Hugging Face's lambdas.
/// </summary>
public sealed record LearningRateSchedule(double PeakLearningRate, ScheduleKind Kind = ScheduleKind.Constant,
    int WarmupSteps = 0, int TotalSteps = 0)
{
    public LearningRateSchedule Validate()
    {
        if (!(PeakLearningRate >= 0)) throw new ArgumentException($"learning rate = {PeakLearningRate} must be >= 0.");
        if (WarmupSteps < 0) throw new ArgumentException($"warm-up steps = {WarmupSteps} must be >= 0.");
        if (Kind == ScheduleKind.Linear && TotalSteps <= WarmupSteps)
            throw new ArgumentException($"a linear schedule needs total steps ({TotalSteps}) > warm-up steps ({WarmupSteps}).");
        return this;
    }

    public double At(int step)
    {
        if (step < WarmupSteps) return PeakLearningRate * step / WarmupSteps;
        if (Kind == ScheduleKind.Constant) return PeakLearningRate;
        return PeakLearningRate * Math.Max(0.0, (double)(TotalSteps - step) / (TotalSteps - WarmupSteps));
    }
}
