// Specifies the transformer against llama2.c's recorded logits and greedy runs of the real stories260K model.
using Dash.Model.Config;
using Dash.Model.Sampling;
using Dash.Model.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class CausalLMSpecs
{
    private const float LogitTolerance = 1e-4f;

    [Theory]
    [InlineData("greedy_bos_200")]
    [InlineData("greedy_prompt_once_upon_a_time_64")]
    public void Should_reproduce_the_reference_logits_at_every_recorded_position(string runName)
    {
        var run = Stories260K.Run(runName);
        using var model = Stories260K.Load();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var n = run.Logits.Length;
        var ids = tensor(run.Ids.Take(n).Select(i => (long)i).ToArray(), [1, n]);
        var positions = arange(n, dtype: ScalarType.Int64).unsqueeze(0);
        var logits = model.Forward(ids, positions);                                   // [1, n, 512]

        for (var p = 0; p < n; p++)
        {
            var actual = logits[0, p].data<float>().ToArray();
            var worst = actual.Zip(run.Logits[p], (a, e) => Math.Abs(a - e)).Max();
            Assert.True(worst < LogitTolerance, $"position {p}: max |logit - reference| = {worst}");
        }
    }

    [Theory]
    [InlineData("greedy_bos_200")]
    [InlineData("greedy_prompt_once_upon_a_time_64")]
    public void Should_reproduce_the_reference_greedy_tokens_with_the_kv_cache(string runName)
    {
        var run = Stories260K.Run(runName);
        using var model = Stories260K.Load();
        var expected = run.Ids.Skip(run.PromptIds.Length).ToArray();
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = expected.Length };

        var completion = new Sampler(model).Sample([run.PromptIds], options, generator: null).Single();

        Assert.Equal(expected, completion.TokenIds);
        Assert.Equal(FinishReason.Length, completion.FinishReason);
    }

    [Fact]
    public void Should_give_the_same_logits_with_and_without_the_cache()
    {
        var run = Stories260K.Run("greedy_bos_200");
        using var model = Stories260K.Load();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        const int n = 40;
        var ids = tensor(run.Ids.Take(n).Select(i => (long)i).ToArray(), [1, n]);
        var full = model.Forward(ids, arange(n, dtype: ScalarType.Int64).unsqueeze(0));   // [1, n, V]

        using var cache = model.CreateCache(1, n);
        const int prefill = 7;
        var first = model.Forward(ids.narrow(1, 0, prefill), arange(prefill, dtype: ScalarType.Int64).unsqueeze(0), cache: cache);
        var stepwise = new List<Tensor> { first };
        for (var p = prefill; p < n; p++)
            stepwise.Add(model.Forward(ids.narrow(1, p, 1), tensor(new long[] { p }, [1, 1]), cache: cache));
        var cached = cat(stepwise, 1);

        var worst = (cached - full).abs().max().item<float>();
        Assert.True(worst < 1e-4f, $"max |cached - full| = {worst}");
        // Decoding without the cache (argmax of the full forward) follows the reference greedy chain too.
        var argmax = full.argmax(-1)[0].data<long>().ToArray();
        Assert.Equal(run.Ids.Skip(1).Take(n - 1).Select(i => (long)i), argmax.Take(n - 1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Should_name_its_tensors_exactly_as_hugging_face(bool fused)
    {
        var config = ModelConfig.Tiny(64) with { ModelType = "qwen2", AttentionBias = true, TieWordEmbeddings = false, NumHiddenLayers = 2 };
        using var model = new CausalLM(config, fused: fused);
        using var scope = NewDisposeScope();
        var keys = model.HuggingFaceTensors().Select(p => p.Name).ToHashSet();

        var expected = new HashSet<string> { "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight" };
        for (var i = 0; i < 2; i++)
        {
            var l = $"model.layers.{i}.";
            foreach (var p in new[] { "q", "k", "v" })
            {
                expected.Add($"{l}self_attn.{p}_proj.weight");
                expected.Add($"{l}self_attn.{p}_proj.bias");
            }
            expected.UnionWith([$"{l}self_attn.o_proj.weight", $"{l}input_layernorm.weight", $"{l}post_attention_layernorm.weight",
                $"{l}mlp.gate_proj.weight", $"{l}mlp.up_proj.weight", $"{l}mlp.down_proj.weight"]);
        }
        Assert.Equal(expected.Order(), keys.Order());
    }

    [Fact]
    public void Should_leave_out_lm_head_when_embeddings_are_tied()
    {
        using var model = new CausalLM(ModelConfig.Tiny(64));
        Assert.DoesNotContain("lm_head.weight", model.state_dict().Keys);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("bias", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_run_in_bfloat16_close_to_float32()
    {
        using var model32 = TinyModels.Create(seed: 8);
        using var model16 = new CausalLM(model32.Config, dtype: ScalarType.BFloat16);
        using (no_grad())
        {
            foreach (var (name, p) in model16.named_parameters()) p.copy_(model32.state_dict()[name]);
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 5, 9, 13, 17 }, [1, 5]);
        var positions = arange(5, dtype: ScalarType.Int64).unsqueeze(0);

        var logits16 = model16.Forward(ids, positions);
        var logits32 = model32.Forward(ids, positions);

        Assert.Equal(ScalarType.BFloat16, logits16.dtype);
        var worst = (logits16.to_type(ScalarType.Float32) - logits32).abs().max().item<float>();
        Assert.True(worst < 0.05f, $"max |bf16 − f32| = {worst}");
    }

    [Fact]
    public void Should_ignore_left_padding()
    {
        using var model = new CausalLM(ModelConfig.Tiny(50));
        using var g = new Generator(7);
        model.InitializeWeights(g);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var plain = model.Forward(tensor(new long[] { 5, 6, 7 }, [1, 3]), tensor(new long[] { 0, 1, 2 }, [1, 3]));
        var padded = model.Forward(tensor(new long[] { 0, 0, 5, 6, 7 }, [1, 5]), tensor(new long[] { 0, 0, 0, 1, 2 }, [1, 5]),
            tensor(new long[] { 0, 0, 1, 1, 1 }, [1, 5]));
        var worst = (padded.narrow(1, 2, 3) - plain).abs().max().item<float>();
        Assert.True(worst < 1e-5f, $"max difference {worst}");
        Assert.False(padded.isnan().any().item<bool>());
    }
}
