// Fused versus separate q/k/v and gate/up projections, side by side: ops per decode step per layer and new tokens/s.
using System.Globalization;
using System.Text;
using Dash.Model.Config;
using Dash.Model.Sampling;
using Dash.Model.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Dash.Bench.Model;

internal static class FusedBench
{
    /// <summary>
    /// One markdown section per model: TorchSharp tensors one decode step creates per decoder layer (every op returns
    /// one, views included; the layer count is the difference between a 2-layer and a 1-layer model), then new tokens/s
    /// per sampling batch with the layouts measured alternately (unfused, fused) so load drift hits both.
    /// </summary>
    public static string Run(string name, ModelConfig config, BenchPlan plan, Device device, ScalarType dtype)
    {
        var sb = new StringBuilder();
        var (opsPlain, opsFused) = (OpsPerLayer(config, false, device, dtype), OpsPerLayer(config, true, device, dtype));
        sb.AppendLine(CultureInfo.InvariantCulture, $"**{name}**: ops (tensors created) per decode step per layer: unfused {opsPlain}, fused {opsFused}.");
        sb.AppendLine().AppendLine("| sampling batch | unfused new tokens/s | fused new tokens/s | fused / unfused |").AppendLine("|---|---|---|---|");
        using var plain = Create(config, false, device, dtype);
        using var fused = Create(config, true, device, dtype);
        var options = new SamplingOptions { Temperature = 1.0f, TopK = 50, MaxNewTokens = plan.NewTokens };
        foreach (var batch in plan.SampleBatches)
        {
            var random = new Random(batch);
            int[][] prompts = [.. Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, plan.PromptTokens).Select(_ => random.Next(4, config.VocabSize)).ToArray())];
            var times = new[] { new List<double>(), new List<double>() };
            for (var r = -1; r < plan.Repeats; r++)          // r = -1: warm-up
            {
                foreach (var (model, slot) in new[] { (plain, 0), (fused, 1) })
                {
                    using var generator = new Generator(7);
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    new Sampler(model).Sample(prompts, options, generator);
                    if (device.type == DeviceType.CUDA) cuda.synchronize();
                    if (r >= 0) times[slot].Add(watch.Elapsed.TotalSeconds);
                }
            }
            var tokens = (double)batch * plan.NewTokens;
            var (a, b) = (tokens / Median(times[0]), tokens / Median(times[1]));
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {a:N0} | {b:N0} | {b / a:F2} |");
            Console.Error.WriteLine($"  batch {batch,4}: unfused {a,9:F0}, fused {b,9:F0} new tokens/s");
        }
        return sb.ToString();
    }

    private static long OpsPerLayer(ModelConfig config, bool fused, Device device, ScalarType dtype) =>
        OpsPerStep(config with { NumHiddenLayers = 2 }, fused, device, dtype) - OpsPerStep(config with { NumHiddenLayers = 1 }, fused, device, dtype);

    // Tensors created by one cached single-token forward (batch 1, after a 16-token prefill).
    private static long OpsPerStep(ModelConfig config, bool fused, Device device, ScalarType dtype)
    {
        using var model = Create(config, fused, device, dtype);
        using var noGrad = no_grad();
        using var cache = model.CreateCache(1, 32);
        using var scope = NewDisposeScope();
        model.HiddenStates(zeros([1, 16], ScalarType.Int64, device), arange(16, ScalarType.Int64, device).unsqueeze(0), cache: cache);
        var ids = zeros([1, 1], ScalarType.Int64, device);
        var positions = full([1, 1], 16L, ScalarType.Int64, device);
        var stats = DisposeScopeManager.Statistics.TensorStatistics;
        var before = stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount;
        model.HiddenStates(ids, positions, cache: cache);
        return stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount - before;
    }

    private static CausalLM Create(ModelConfig config, bool fused, Device device, ScalarType dtype)
    {
        var model = new CausalLM(config, device, dtype, fused);
        using (var init = new Generator(1)) model.InitializeWeights(init);
        model.eval();
        return model;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
