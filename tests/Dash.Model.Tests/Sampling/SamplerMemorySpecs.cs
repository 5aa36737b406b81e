// Specifies that decoding does not grow native memory: RSS stays flat over repeated 500-step sampling runs.
using Dash.Model.Config;
using Dash.Model.Sampling;
using Dash.Model.Transformer;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Sampling;

/// <summary>Runs alone: other specs allocating in parallel would make the process RSS meaningless.</summary>
[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public sealed class MemoryCollection;

[Collection(nameof(MemoryCollection))]
public sealed class SamplerMemorySpecs(ITestOutputHelper output)
{
    // A leaked [4, 4096] float32 logits tensor per step would add 32 MiB per 500-step run (96 MiB over three).
    private const long BoundBytes = 24L * 1024 * 1024;

    [Fact]
    public void Should_keep_rss_flat_over_500_decode_steps()
    {
        using var model = new CausalLM(ModelConfig.Tiny(4096));
        using (var g = new Generator(1)) model.InitializeWeights(g);
        var sampler = new Sampler(model);
        using var generator = new Generator(2);
        var options = new SamplingOptions { Temperature = 1.0f, TopK = 50, TopP = 0.9f, MaxNewTokens = 500 };
        int[][] prompts = [.. Enumerable.Range(0, 4).Select(i => new[] { 1, 10 + i, 20 + i })];

        sampler.Sample(prompts, options, generator);             // warm-up: allocator pools, RoPE tables, JIT
        var before = RssBytes();
        for (var run = 0; run < 3; run++)
        {
            var results = sampler.Sample(prompts, options, generator);
            Assert.All(results, r => Assert.Equal(500, r.TokenIds.Length));
        }
        var growth = RssBytes() - before;
        output.WriteLine($"RSS after warm-up {before / 1024 / 1024.0:F1} MiB, growth over 1,500 steps {growth / 1024 / 1024.0:F2} MiB");

        Assert.True(growth < BoundBytes, $"RSS grew by {growth / 1024 / 1024.0:F1} MiB over 1,500 decode steps (bound 24 MiB)");
    }

    private static long RssBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
