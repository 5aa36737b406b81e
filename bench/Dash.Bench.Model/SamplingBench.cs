// Sampling throughput: new tokens per second (prefill included) for each sampling batch size.
using Dash.Model.Config;
using Dash.Model.Sampling;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Bench.Model;

internal static class SamplingBench
{
    public static List<Measurement> Run(ModelConfig config, BenchPlan plan, Device device, ScalarType dtype)
    {
        using var model = new CausalLM(config, device, dtype);
        using (var init = new Generator(1)) model.InitializeWeights(init);
        model.eval();
        var sampler = new Sampler(model);
        // No EOS: every sequence runs the full length, so tokens/s measures the decode loop itself.
        var options = new SamplingOptions { Temperature = 1.0f, TopK = 50, MaxNewTokens = plan.NewTokens };
        var results = new List<Measurement>();
        foreach (var batch in plan.SampleBatches)
        {
            var prompts = Prompts(batch, plan.PromptTokens, config.VocabSize);
            using var generator = new Generator(7);
            using var peak = new PeakRss();
            var seconds = Measure.MedianSeconds(plan.Repeats, device, () => sampler.Sample(prompts, options, generator));
            var tokens = (double)batch * plan.NewTokens;
            results.Add(new Measurement(batch, tokens / seconds, peak.PeakMiB, seconds));
            Console.Error.WriteLine($"  sample batch {batch,4}: {tokens / seconds,9:F0} new tokens/s");
        }
        return results;
    }

    private static int[][] Prompts(int batch, int length, int vocab)
    {
        var random = new Random(batch);
        return [.. Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(4, vocab)).ToArray())];
    }
}
