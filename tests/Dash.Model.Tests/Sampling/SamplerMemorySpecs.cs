// Specifies that decoding does not leak native memory: glibc's in-use bytes stay flat over repeated 500-step runs.
using Dash.Model.Config;
using Dash.Model.Runtime;
using Dash.Model.Sampling;
using Dash.Model.Transformer;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Sampling;

/// <summary>Runs alone: other specs allocating in parallel would move the allocator's in-use bytes too.</summary>
[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public sealed class MemoryCollection;

/// <summary>
/// The measure is the allocator's in-use bytes (glibc <c>mallinfo2</c>: uordblks + hblkhd), which every libtorch CPU
/// buffer is part of. Process RSS is not a leak measure: on a loaded machine glibc creates extra arenas when threads
/// contend for a lock, and each new arena's pages count in RSS while nothing leaks (a CI run on a busy machine measured
/// 115 MiB of RSS growth). RSS is still printed beside it.
/// </summary>
[Collection(nameof(MemoryCollection))]
public sealed class SamplerMemorySpecs(ITestOutputHelper output)
{
    private const int Steps = 500;
    private const int Batch = 4;
    private const int Vocab = 4096;

    // A leaked [4, 4096] float32 logits tensor per step is 64 KiB a step: 32 MiB per 500-step run, 96 MiB over three.
    private const long LeakPerRunBytes = (long)Batch * Vocab * sizeof(float) * Steps;
    private const long BoundBytes = LeakPerRunBytes / 4;

    [Fact]
    public void Should_keep_allocated_native_memory_flat_over_1500_decode_steps()
    {
        NativeRuntime.Initialize();
        using var model = new CausalLM(ModelConfig.Tiny(Vocab));
        using (var g = new Generator(1)) model.InitializeWeights(g);
        var sampler = new Sampler(model);
        using var generator = new Generator(2);
        var options = new SamplingOptions { Temperature = 1.0f, TopK = 50, TopP = 0.9f, MaxNewTokens = Steps };
        int[][] prompts = [.. Enumerable.Range(0, Batch).Select(i => new[] { 1, 10 + i, 20 + i })];

        sampler.Sample(prompts, options, generator);             // warm-up: allocator pools, RoPE tables, JIT
        var before = Reading.Take();
        for (var run = 0; run < 3; run++)
        {
            var results = sampler.Sample(prompts, options, generator);
            Assert.All(results, r => Assert.Equal(Steps, r.TokenIds.Length));
        }
        var growth = Reading.Take() - before;
        output.WriteLine($"growth over 1,500 decode steps: {growth}");

        Assert.True(growth.Allocated < BoundBytes,
            $"glibc in-use bytes grew by {Mib(growth.Allocated)} over 1,500 decode steps (bound {Mib(BoundBytes)}): {growth}");
    }

    [Fact]
    public void Should_see_a_leak_of_one_logits_tensor_per_step_with_the_same_measure()
    {
        NativeRuntime.Initialize();
        var leaked = new List<Tensor>(Steps);
        var before = Reading.Take();
        try
        {
            for (var step = 0; step < Steps; step++)
            {
                var logits = randn(Batch, Vocab);                 // what a decode step that forgot a Dispose leaves
                leaked.Add(logits);
            }
            var growth = Reading.Take() - before;
            output.WriteLine($"growth with one leaked logits tensor per step over {Steps} steps: {growth}");

            Assert.True(growth.Allocated >= BoundBytes,
                $"a {Mib(LeakPerRunBytes)} leak moved glibc in-use bytes by only {Mib(growth.Allocated)} (bound {Mib(BoundBytes)})");
        }
        finally
        {
            foreach (var t in leaked) t.Dispose();
        }
    }

    private static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MiB";

    /// <summary>Allocator in-use bytes, allocator-held bytes and process RSS, after a full garbage collection.</summary>
    private readonly record struct Reading(long Allocated, long Arena, long Rss)
    {
        public static Reading Take()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            return new Reading(NativeRuntime.AllocatedBytes(), NativeRuntime.ArenaBytes(), rss);
        }

        public static Reading operator -(Reading a, Reading b) => new(a.Allocated - b.Allocated, a.Arena - b.Arena, a.Rss - b.Rss);

        public override string ToString() => $"in-use {Mib(Allocated)}, arenas {Mib(Arena)}, RSS {Mib(Rss)}";
    }
}
