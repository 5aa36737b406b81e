// Specifies the batched sampler: padding, stop reasons, filters, log-probs, chunking and seeded determinism.
using System.Diagnostics;
using Dash.Model.Learning;
using Dash.Model.Sampling;
using Dash.Model.Tests.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Sampling;

public sealed class SamplerSpecs
{
    private static readonly int[] OnceUponATime = [1, 403, 407, 261, 378];

    [Fact]
    public void Should_give_left_padded_prompts_the_same_greedy_completion_as_alone()
    {
        using var model = Stories260K.Load();
        var sampler = new Sampler(model);
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 30 };
        int[][] prompts = [OnceUponATime, [1], [1, 403, 407]];

        var batched = sampler.Sample(prompts, options, null);

        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(sampler.Sample([prompts[i]], options, null)[0].TokenIds, batched[i].TokenIds);
    }

    [Fact]
    public void Should_give_the_same_greedy_completions_when_finished_sequences_leave_the_batch()
    {
        using var model = Stories260K.Load();
        var sampler = new Sampler(model);
        int[][] prompts = [OnceUponATime, [1], [1, 403, 407], [1, 261], [1, 378, 403], [1, 407]];
        // End-of-sequence = a token some completions reach early: those rows leave the batch mid-way.
        var firstAlone = sampler.Sample([prompts[0]], new SamplingOptions { Temperature = 0, MaxNewTokens = 40 }, null)[0].TokenIds;
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 40, EosIds = [firstAlone[3]] };

        var batched = sampler.Sample(prompts, options, null);

        Assert.Contains(batched, r => r.FinishReason == FinishReason.Eos && r.TokenIds.Length < 40);
        Assert.Contains(batched, r => r.TokenIds.Length > batched.Min(x => x.TokenIds.Length));
        for (var i = 0; i < prompts.Length; i++)
        {
            var alone = sampler.Sample([prompts[i]], options, null)[0];
            Assert.Equal(alone.TokenIds, batched[i].TokenIds);
            Assert.Equal(alone.FinishReason, batched[i].FinishReason);
            for (var j = 0; j < alone.LogProbs.Length; j++) Assert.Equal(alone.LogProbs[j], batched[i].LogProbs[j], 4);
        }
    }

    [Fact]
    public void Should_stop_at_eos_and_stop_tokens_and_keep_them()
    {
        using var model = Stories260K.Load();
        var sampler = new Sampler(model);
        var greedy = sampler.Sample([[1]], new SamplingOptions { Temperature = 0, MaxNewTokens = 20 }, null)[0].TokenIds;

        var eos = sampler.Sample([[1]], new SamplingOptions { Temperature = 0, MaxNewTokens = 20, EosIds = [greedy[4]] }, null)[0];
        var stop = sampler.Sample([[1]], new SamplingOptions { Temperature = 0, MaxNewTokens = 20, StopIds = [greedy[2]] }, null)[0];
        var length = sampler.Sample([[1]], new SamplingOptions { Temperature = 0, MaxNewTokens = 6 }, null)[0];

        Assert.Equal(FinishReason.Eos, eos.FinishReason);
        Assert.Equal(greedy[..5], eos.TokenIds);
        Assert.Equal(FinishReason.Stop, stop.FinishReason);
        Assert.Equal(greedy[..3], stop.TokenIds);
        Assert.Equal(FinishReason.Length, length.FinishReason);
        Assert.Equal(greedy[..6], length.TokenIds);
        Assert.Equal(5, eos.LogProbs.Length);
    }

    [Fact]
    public void Should_sample_greedily_when_top_k_is_one_or_top_p_is_tiny()
    {
        using var model = Stories260K.Load();
        var sampler = new Sampler(model);
        using var generator = new Generator(3);
        var greedy = sampler.Sample([OnceUponATime], new SamplingOptions { Temperature = 0, MaxNewTokens = 25 }, null)[0].TokenIds;

        var topK = sampler.Sample([OnceUponATime], new SamplingOptions { Temperature = 1.5f, TopK = 1, MaxNewTokens = 25 }, generator)[0];
        var topP = sampler.Sample([OnceUponATime], new SamplingOptions { Temperature = 1.5f, TopP = 1e-6f, MaxNewTokens = 25 }, generator)[0];

        Assert.Equal(greedy, topK.TokenIds);
        Assert.Equal(greedy, topP.TokenIds);
    }

    [Fact]
    public void Should_report_the_log_probs_the_learner_computes()
    {
        using var model = Stories260K.Load();
        using var generator = new Generator(17);
        const float temperature = 0.8f;
        int[][] prompts = [OnceUponATime, [1, 403]];
        var samples = new Sampler(model).Sample(prompts, new SamplingOptions { Temperature = temperature, MaxNewTokens = 20 }, generator);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = TokenBatch.Build([.. prompts.Zip(samples, (p, s) => new TokenRow(p, s.TokenIds))], padId: 0);
        var learner = CompletionLogProbs.Compute(model, batch, temperature);

        for (var row = 0; row < prompts.Length; row++)
        {
            var expected = learner[row].data<float>().ToArray();
            for (var j = 0; j < samples[row].LogProbs.Length; j++)
                Assert.True(Math.Abs(expected[j] - samples[row].LogProbs[j]) < 1e-4, $"row {row} token {j}: {expected[j]} vs {samples[row].LogProbs[j]}");
        }
    }

    [Fact]
    public void Should_draw_the_same_samples_from_the_same_seed_and_different_ones_from_another()
    {
        Assert.Equal(SeedProbe.Hash(42), SeedProbe.Hash(42));
        Assert.NotEqual(SeedProbe.Hash(42), SeedProbe.Hash(43));
    }

    [Fact]
    public void Should_draw_the_same_samples_in_a_second_process()
    {
        var assembly = typeof(SeedProbe).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["exec", assembly, "seed-probe", "42"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"the probe process failed: {errors}");
        Assert.Equal(SeedProbe.Hash(42), output.Trim());
    }

    [Fact]
    public void Should_sample_many_prompts_in_chunks_in_prompt_order()
    {
        using var model = Stories260K.Load();
        var sampler = new Sampler(model);
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 8 };
        int[][] prompts = [[1], OnceUponATime, [1, 403], [1, 403, 407], [1, 261]];

        var many = sampler.SampleMany(prompts, batchSize: 2, options, null);

        Assert.Equal(prompts.Length, many.Count);
        for (var i = 0; i < prompts.Length; i++) Assert.Equal(sampler.Sample([prompts[i]], options, null)[0].TokenIds, many[i].TokenIds);
    }
}
