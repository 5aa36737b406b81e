// Specifies config.json parsing, validation, writing and the built-in presets.
using Dash.Model.Config;
using Dash.Model.Tests.Checkpoints;
using Dash.Model.Transformer;
using Dash.Testing;

namespace Dash.Model.Tests.Config;

public sealed class ModelConfigSpecs
{
    [Fact]
    public void Should_parse_the_stories260k_config()
    {
        var config = ModelConfig.Load(SharedData.File("models/stories260K/config.json"));
        Assert.Equal(("llama", 64, 5, 8, 4, 172, 512), (config.ModelType, config.HiddenSize, config.NumHiddenLayers,
            config.NumAttentionHeads, config.NumKeyValueHeads, config.IntermediateSize, config.VocabSize));
        Assert.Equal((1e-5, 10000.0, true, false, 1), (config.RmsNormEps, config.RopeTheta, config.TieWordEmbeddings, config.AttentionBias, config.BosTokenId));
    }

    [Fact]
    public void Should_default_kv_heads_to_heads_and_give_qwen2_biases()
    {
        using var dir = new TempDirectory();
        var path = dir.File("config.json");
        File.WriteAllText(path, """
            {"model_type": "qwen2", "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4,
             "intermediate_size": 64, "vocab_size": 10, "eos_token_id": [3, 4]}
            """);
        var config = ModelConfig.Load(path);
        Assert.Equal(4, config.NumKeyValueHeads);
        Assert.True(config.AttentionBias);
        Assert.Equal([3, 4], config.EosTokenIds);
    }

    [Theory]
    [InlineData("""{"model_type": "llama"}""", "hidden_size")]
    [InlineData("""{"model_type": "gpt2", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 5}""", "model_type")]
    [InlineData("""{"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 3, "intermediate_size": 8, "vocab_size": 5}""", "num_key_value_heads")]
    [InlineData("""{"model_type": "llama", "hidden_size": 8.5, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 5}""", "hidden_size")]
    [InlineData("""{"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 5, "tie_word_embeddings": "yes"}""", "tie_word_embeddings")]
    [InlineData("""{"model_type": """, "not valid JSON")]
    public void Should_name_the_file_and_key_of_a_bad_config(string json, string key)
    {
        using var dir = new TempDirectory();
        var path = dir.File("config.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_write_itself_back_as_config_json()
    {
        using var dir = new TempDirectory();
        var config = ModelConfig.Tiny(99) with { EosTokenIds = [2, 5] };
        config.Save(dir.File("config.json"));
        Assert.Equal(config, ModelConfig.Load(dir.File("config.json")));
    }

    [Theory]
    [InlineData(false, 0.7e6, 1.3e6)]
    [InlineData(true, 22e6, 28e6)]
    public void Should_offer_tiny_and_benchmark_presets(bool small, double min, double max)
    {
        var config = small ? ModelConfig.Small(99) : ModelConfig.Tiny(99);
        using var model = new CausalLM(config);
        var count = model.parameters().Sum(p => p.numel());
        Assert.InRange(count, min, max);
    }
}
