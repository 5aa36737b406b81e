// Specifies that fused q/k/v and gate/up projections compute, sample, learn and checkpoint as the separate ones do.
using Dash.Model.Checkpoints;
using Dash.Model.Config;
using Dash.Model.Learning;
using Dash.Model.Optim;
using Dash.Model.Sampling;
using Dash.Model.Tests.Checkpoints;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class FusedProjectionSpecs
{
    public static TheoryData<bool> Qwen2 => [true, false];

    [Fact]
    public void Should_initialise_the_built_in_model_to_the_same_checkpoint_bytes_fused_or_not()
    {
        using var fusedDir = new TempDirectory();
        using var plainDir = new TempDirectory();
        using (var fused = BuiltIn(fused: true)) ModelDirectory.Save(fused, fusedDir.Path);
        using (var plain = BuiltIn(fused: false)) ModelDirectory.Save(plain, plainDir.Path);

        Assert.Equal(File.ReadAllBytes(plainDir.File(ModelDirectory.WeightsFile)), File.ReadAllBytes(fusedDir.File(ModelDirectory.WeightsFile)));
        Assert.Equal(File.ReadAllText(plainDir.File(ModelDirectory.ConfigFile)), File.ReadAllText(fusedDir.File(ModelDirectory.ConfigFile)));
    }

    [Theory]
    [MemberData(nameof(Qwen2))]
    public void Should_save_hugging_face_names_shapes_and_dtypes_and_load_them_back_identically(bool qwen2)
    {
        using var dir = new TempDirectory();
        using var fused = TinyModels.Create(seed: 21, qwen2: qwen2, tied: !qwen2);
        Assert.Contains(fused.named_parameters(), p => p.name.EndsWith("self_attn.qkv_proj.weight", StringComparison.Ordinal));
        ModelDirectory.Save(fused, dir.Path);

        using (var file = SafetensorsFile.Open(dir.File(ModelDirectory.WeightsFile)))
        {
            var expected = ModelDirectory.ExpectedShapes(fused.Config);
            Assert.Equal(expected.Keys.Order(), file.Tensors.Keys.Order());
            foreach (var (name, entry) in file.Tensors)
            {
                Assert.Equal(expected[name], entry.Shape);
                Assert.Equal(SafetensorsDtype.F32, entry.Dtype);
            }
        }
        using var plain = new CausalLM(ModelConfig.Load(dir.File(ModelDirectory.ConfigFile)), fused: false);
        ModelDirectory.LoadWeights(plain, dir.Path);
        using var reloaded = ModelDirectory.Load(dir.Path);

        using var scope = NewDisposeScope();
        var original = fused.HuggingFaceDictionary();
        foreach (var other in new[] { plain.HuggingFaceDictionary(), reloaded.HuggingFaceDictionary() })
        {
            Assert.Equal(original.Keys.Order(), other.Keys.Order());
            foreach (var (name, t) in original)
            {
                Assert.Equal(t.shape, other[name].shape);
                Assert.True(t.eq(other[name]).all().item<bool>(), $"{name} changed in the round trip");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Qwen2))]
    public void Should_compute_the_unfused_logits_with_and_without_the_cache(bool qwen2)
    {
        using var fused = TinyModels.Create(seed: 22, qwen2: qwen2, tied: !qwen2);
        using var plain = TinyModels.Create(seed: 22, qwen2: qwen2, tied: !qwen2, fused: false);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 5, 9, 13, 17, 21, 1, 7, 8, 9, 10, 11 }, [2, 6]);
        var positions = arange(6, dtype: ScalarType.Int64).unsqueeze(0).expand(2, 6);

        var worst = (fused.Forward(ids, positions) - plain.Forward(ids, positions)).abs().max().item<float>();
        using var fusedCache = fused.CreateCache(2, 8);
        using var plainCache = plain.CreateCache(2, 8);
        fused.Forward(ids, positions, cache: fusedCache);
        plain.Forward(ids, positions, cache: plainCache);
        var next = tensor(new long[] { 3, 4 }, [2, 1]);
        var at = full([2, 1], 6L, dtype: ScalarType.Int64);
        var step = (fused.Forward(next, at, cache: fusedCache) - plain.Forward(next, at, cache: plainCache)).abs().max().item<float>();

        Assert.True(worst < 1e-5f, $"prefill: max |fused − unfused| = {worst}");
        Assert.True(step < 1e-5f, $"decode step: max |fused − unfused| = {step}");
    }

    [Fact]
    public void Should_sample_the_unfused_tokens_from_the_same_seed()
    {
        var options = new SamplingOptions { Temperature = 0.9f, TopK = 20, TopP = 0.95f, MaxNewTokens = 24, EosIds = [2] };
        int[][] prompts = [[1, 5, 6], [1, 5, 6], [1], [1, 7, 8, 9, 10]];
        IReadOnlyList<SampledCompletion> Run(bool fused)
        {
            using var model = TinyModels.Create(seed: 23, qwen2: true, tied: false, fused: fused);
            using var generator = new Generator(23);
            return new Sampler(model).Sample(prompts, options, generator);
        }

        var (fusedRows, plainRows) = (Run(fused: true), Run(fused: false));

        for (var r = 0; r < prompts.Length; r++)
        {
            Assert.Equal(plainRows[r].TokenIds, fusedRows[r].TokenIds);
            Assert.Equal(plainRows[r].FinishReason, fusedRows[r].FinishReason);
            var worst = plainRows[r].LogProbs.Zip(fusedRows[r].LogProbs, (a, b) => Math.Abs(a - b)).DefaultIfEmpty().Max();
            Assert.True(worst < 1e-5f, $"row {r}: max |Δ log-prob| = {worst}");
        }
    }

    /// <summary>
    /// One GEMM over stacked rows sums in another order than three, so gradients differ in the last bits; AdamW's
    /// first step is lr·g/(|g| + ε), which turns a last-bit difference of a near-zero gradient into up to ~lr·1e-3.
    /// </summary>
    [Theory]
    [MemberData(nameof(Qwen2))]
    public void Should_give_the_unfused_log_probs_gradients_and_optimizer_step(bool qwen2)
    {
        using var fused = TinyModels.Create(seed: 24, qwen2: qwen2, tied: !qwen2);
        using var plain = TinyModels.Create(seed: 24, qwen2: qwen2, tied: !qwen2, fused: false);
        using var fusedAdam = new AdamW(fused.named_parameters(), new AdamWOptions(WeightDecay: 0.01, MaxGradNorm: 0.5), new LearningRateSchedule(1e-2), fused.HuggingFaceParts);
        using var plainAdam = new AdamW(plain.named_parameters(), new AdamWOptions(WeightDecay: 0.01, MaxGradNorm: 0.5), new LearningRateSchedule(1e-2));

        var (fusedLogp, fusedGrads, fusedStep) = LearnOnce(fused, fusedAdam);
        var (plainLogp, plainGrads, plainStep) = LearnOnce(plain, plainAdam);

        var logpGap = fusedLogp.Zip(plainLogp, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(logpGap < 1e-5f, $"max |Δ log-prob| = {logpGap}");
        Assert.True(Math.Abs(fusedStep.GradNorm - plainStep.GradNorm) < 1e-5 * plainStep.GradNorm, $"grad norm {fusedStep.GradNorm} vs {plainStep.GradNorm}");
        var largest = plainGrads.Values.Max(g => g.Max(Math.Abs));
        var gradGap = fusedGrads.Max(g => g.Value.Zip(plainGrads[g.Key], (a, b) => Math.Abs(a - b)).Max());
        Assert.True(gradGap < 1e-6f * largest, $"max |Δ gradient| = {gradGap} (largest {largest})");
        using var scope = NewDisposeScope();
        var after = plain.HuggingFaceDictionary();
        foreach (var (name, t) in fused.HuggingFaceDictionary())
        {
            var gap = (t - after[name]).abs().max().item<float>();
            Assert.True(gap < 1e-2f * 1e-2f, $"{name}: max |fused − unfused| after one step of lr 1e-2 = {gap}");
        }
        // The fused optimizer's state file holds the Hugging Face tensors, so it restores into the unfused optimizer.
        var state = fusedAdam.SaveState();
        using var restored = new AdamW(plain.named_parameters(), new AdamWOptions(), new LearningRateSchedule(1e-2));
        restored.LoadState(state);
        Assert.Equal(1, restored.StepCount);
    }

    // Log-probs, gradients (by Hugging Face name, before clipping) and the optimizer step of one GRPO update.
    private static (float[] LogProbs, Dictionary<string, float[]> Gradients, OptimizerStep Step) LearnOnce(CausalLM model, AdamW optimizer)
    {
        using var scope = NewDisposeScope();
        var rows = TinyModels.Rows();
        using var batch = TokenBatch.Build(rows, padId: 0);
        var logp = CompletionLogProbs.Compute(model, batch, temperature: 0.9f);
        var advantages = tensor(new float[] { 1.0f, -0.5f, 0.25f, -1.5f });
        var loss = PolicyLoss.Grpo(logp, logp.detach(), null, advantages, batch.CompletionMask, LossAggregation.DrGrpo, LossScale.For(rows), 0.2, 0);
        loss.backward();
        var values = logp.detach().reshape(-1).data<float>().ToArray();
        var grads = model.named_parameters().SelectMany(p => model.HuggingFaceParts(p.name, p.parameter.grad!))
            .ToDictionary(p => p.Name, p => p.Part.contiguous().data<float>().ToArray());
        return (values, grads, optimizer.Step());
    }

    private static CausalLM BuiltIn(bool fused)
    {
        var model = new CausalLM(ModelConfig.Tiny(99), fused: fused);
        using var generator = new Generator(1);
        model.InitializeWeights(generator);
        return model;
    }
}
