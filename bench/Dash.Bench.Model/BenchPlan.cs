// What the benchmark sweeps: batch sizes, sequence lengths, repeats (full run or --quick smoke run).
namespace Dash.Bench.Model;

internal sealed record BenchPlan(int[] SampleBatches, int[] MicroBatches, int PromptTokens, int NewTokens,
    int TrainRowsPerRepeat, int Repeats)
{
    /// <summary>Batch 1…256 sampling, micro-batch 1…64 training, 16-token prompts, 64 new tokens, median of 3.</summary>
    public static BenchPlan Full { get; } = new([1, 4, 16, 64, 256], [1, 4, 16, 64], 16, 64, 16, 3);

    /// <summary>A seconds-long smoke run of the same code paths.</summary>
    public static BenchPlan Quick { get; } = new([1, 4], [1, 4], 8, 8, 4, 1);
}

/// <summary>One measured configuration: throughput (median over repeats) and the peak RSS while it ran.</summary>
internal sealed record Measurement(int Batch, double TokensPerSecond, double PeakRssMiB, double MedianSeconds);
