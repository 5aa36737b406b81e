// Training throughput: forward + backward tokens per second for each micro-batch size, plus the AdamW step time.
using System.Diagnostics;
using Dash.Model.Config;
using Dash.Model.Learning;
using Dash.Model.Optim;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Bench.Model;

internal static class TrainingBench
{
    /// <summary>Median AdamW step seconds of the last run (reported beside the table).</summary>
    public static double LastOptimizerStepSeconds { get; private set; }

    public static List<Measurement> Run(ModelConfig config, BenchPlan plan, Device device, ScalarType dtype)
    {
        // bf16: a bf16 replica computes, float32 master weights take the AdamW step (as the learner does).
        using var model = new CausalLM(config, device);
        using (var init = new Generator(1)) model.InitializeWeights(init);
        model.train();
        using var replica = dtype == ScalarType.Float32 ? null : new CausalLM(config, device, dtype);
        var mixed = replica is null ? null : new MixedPrecision(model, replica);
        var compute = replica ?? model;
        compute.train();
        var results = new List<Measurement>();
        foreach (var micro in plan.MicroBatches)
        {
            var rows = Rows(Math.Max(plan.TrainRowsPerRepeat, micro), plan, config.VocabSize);
            var scale = LossScale.For(rows);
            var advantages = rows.Select((_, i) => i % 2 == 0 ? 1.0f : -1.0f).ToArray();
            using var peak = new PeakRss();
            var seconds = Measure.MedianSeconds(plan.Repeats, device, () =>
            {
                for (var start = 0; start < rows.Length; start += micro)
                {
                    MicroBatch(compute, rows[start..(start + micro)], advantages[start..(start + micro)], scale);
                    mixed?.AccumulateGradients();
                }
                ZeroGrad(model);
            });
            var tokens = (double)rows.Length * (plan.PromptTokens + plan.NewTokens);
            results.Add(new Measurement(micro, tokens / seconds, peak.PeakMiB, seconds));
            Console.Error.WriteLine($"  train micro-batch {micro,3}: {tokens / seconds,9:F0} tokens/s");
        }

        using var optimizer = new AdamW(model.named_parameters(), new AdamWOptions(), new LearningRateSchedule(1e-4));
        MicroBatch(compute, Rows(1, plan, config.VocabSize), [1.0f], new LossScale(1, plan.NewTokens, plan.NewTokens));
        mixed?.AccumulateGradients();
        LastOptimizerStepSeconds = Measure.MedianSeconds(plan.Repeats, device, () =>
        {
            optimizer.Step();
            mixed?.CopyWeights();
        });
        return results;
    }

    // One GRPO micro-batch: forward, per-token log-probs, Dr. GRPO loss, backward (gradients accumulate).
    private static void MicroBatch(CausalLM model, TokenRow[] rows, float[] advantages, LossScale scale)
    {
        using var scope = NewDisposeScope();
        using var batch = TokenBatch.Build(rows, padId: 0, model.Device);
        var logp = CompletionLogProbs.Compute(model, batch, temperature: 1.0f);
        var old = logp.detach();
        var loss = PolicyLoss.Grpo(logp, old, null, tensor(advantages, device: model.Device), batch.CompletionMask, LossAggregation.DrGrpo, scale);
        loss.backward();
    }

    private static void ZeroGrad(CausalLM model)
    {
        using var scope = NewDisposeScope();
        foreach (var p in model.parameters()) p.grad?.zero_();
    }

    private static TokenRow[] Rows(int count, BenchPlan plan, int vocab)
    {
        var random = new Random(count);
        int[] Tokens(int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(4, vocab))];
        return [.. Enumerable.Range(0, count).Select(_ => new TokenRow(Tokens(plan.PromptTokens), Tokens(plan.NewTokens)))];
    }
}
