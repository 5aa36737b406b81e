// Prefill time of grouped prompts (G copies of each, as the engines send them) with and without prefix sharing.
using Dash.Model.Config;
using Dash.Model.Sampling;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Bench.Model;

/// <summary>One prompt length: seconds to prefill (and pick one token for) D distinct prompts × G copies.</summary>
internal sealed record PrefillMeasurement(int PromptTokens, int Distinct, int Group, double UnsharedSeconds, double SharedSeconds);

internal static class PrefillBench
{
    public const int Distinct = 4;
    public const int Group = 4;

    public static List<PrefillMeasurement> Run(ModelConfig config, BenchPlan plan, Device device, ScalarType dtype)
    {
        using var model = new CausalLM(config, device, dtype);
        using (var init = new Generator(1)) model.InitializeWeights(init);
        model.eval();
        var options = new SamplingOptions { Temperature = 1.0f, TopK = 50, MaxNewTokens = 1 };
        var results = new List<PrefillMeasurement>();
        foreach (var length in new[] { 100, 200, 300 })
        {
            var random = new Random(length);
            var distinct = Enumerable.Range(0, Distinct).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(4, config.VocabSize)).ToArray()).ToArray();
            int[][] rows = [.. distinct.SelectMany(p => Enumerable.Repeat(p, Group))];
            double Time(bool share)
            {
                var sampler = new Sampler(model) { SharePrefixes = share };
                using var generator = new Generator(7);
                return Measure.MedianSeconds(plan.Repeats, device, () => sampler.Sample(rows, options, generator));
            }
            var unshared = Time(false);
            var shared = Time(true);
            results.Add(new PrefillMeasurement(length, Distinct, Group, unshared, shared));
            Console.Error.WriteLine($"  prefill {length} tokens x {Distinct * Group} rows: {unshared * 1000:F0} ms unshared, {shared * 1000:F0} ms shared");
        }
        return results;
    }
}
