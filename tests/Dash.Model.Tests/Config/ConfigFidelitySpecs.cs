// Specifies that every architecture-affecting config.json key is either honoured or refused in one line naming it.
using System.Text.Json.Nodes;
using Dash.Model.Config;

namespace Dash.Model.Tests.Config;

public sealed class ConfigFidelitySpecs
{
    private const string Base = """
        "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2,
        "intermediate_size": 64, "vocab_size": 10
        """;

    private static ModelConfig Parse(string modelType, string extra) =>
        ModelConfig.Parse(JsonNode.Parse($$"""{"model_type": "{{modelType}}", {{Base}}{{(extra.Length > 0 ? ", " + extra : "")}}}""")!.AsObject(), "cfg.json");

    [Theory]
    [InlineData("llama", """ "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768} """, "rope_scaling", "yarn")]
    [InlineData("llama", """ "rope_scaling": {"type": "dynamic", "factor": 2.0} """, "rope_scaling", "dynamic")]
    [InlineData("llama", """ "rope_scaling": {"rope_type": "longrope", "long_factor": [1], "short_factor": [1]} """, "rope_scaling", "longrope")]
    [InlineData("llama", """ "rope_scaling": {"rope_type": "ntk-by-parts", "factor": 2.0} """, "rope_scaling", "ntk-by-parts")]
    [InlineData("llama", """ "rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0} """, "rope_parameters", "yarn")]
    [InlineData("qwen2", """ "use_sliding_window": true, "sliding_window": 4096 """, "use_sliding_window", "true")]
    [InlineData("qwen2", """ "layer_types": ["sliding_attention"] """, "layer_types", "sliding_attention")]
    [InlineData("llama", """ "hidden_act": "gelu" """, "hidden_act", "gelu")]
    [InlineData("llama", """ "attention_bias": true """, "attention_bias", "true")]
    [InlineData("llama", """ "mlp_bias": true """, "mlp_bias", "true")]
    [InlineData("llama", """ "partial_rotary_factor": 0.5 """, "partial_rotary_factor", "0.5")]
    [InlineData("mistral", "", "model_type", "mistral")]
    [InlineData("qwen2_moe", "", "model_type", "qwen2_moe")]
    public void Should_refuse_an_unimplemented_key_in_one_line_naming_key_and_value(string modelType, string extra, string key, string value)
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse(modelType, extra));

        Assert.StartsWith("cfg.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{key}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("llama", """ "rope_scaling": null """)]
    [InlineData("llama", """ "rope_scaling": {"rope_type": "default"} """)]
    [InlineData("qwen2", """ "use_sliding_window": false, "sliding_window": 4096, "max_window_layers": 21 """)]
    [InlineData("qwen2", """ "use_sliding_window": true, "sliding_window": null """)]
    [InlineData("qwen2", """ "attention_bias": false, "layer_types": ["full_attention"] """)]
    [InlineData("llama", """ "attention_bias": false, "mlp_bias": false, "hidden_act": "silu", "pretraining_tp": 1 """)]
    [InlineData("llama", """ "hidden_act": "swish" """)] // Hugging Face's other name for silu
    public void Should_accept_the_neutral_forms_as_the_plain_model(string modelType, string extra)
    {
        var config = Parse(modelType, extra);

        Assert.Null(config.RopeScaling);
        Assert.Equal(8, config.HeadDim);
        Assert.Equal(modelType == "qwen2", config.AttentionBias);
    }

    [Fact]
    public void Should_read_llama3_and_linear_rope_scaling_and_head_dim()
    {
        var llama3 = Parse("llama", """
            "head_dim": 16, "rope_theta": 500000.0,
            "rope_scaling": {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
            """);
        var linear = Parse("llama", """ "rope_scaling": {"type": "linear", "factor": 4.0} """);
        var v5 = Parse("llama", """ "rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 1000.0} """);

        Assert.Equal(new RopeScaling { Type = "llama3", Factor = 32, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 8192 },
            llama3.RopeScaling);
        Assert.Equal(16, llama3.HeadDim);
        Assert.Equal(new RopeScaling { Type = "linear", Factor = 4 }, linear.RopeScaling);
        Assert.Equal((2.0, 1000.0), (v5.RopeScaling!.Factor, v5.RopeTheta));
    }

    [Theory]
    [InlineData(""" "rope_scaling": {"rope_type": "llama3", "factor": 8.0} """, "low_freq_factor")]
    [InlineData(""" "rope_scaling": {"rope_type": "linear"} """, "factor")]
    [InlineData(""" "rope_scaling": {"rope_type": "linear", "factor": -1} """, "factor")]
    [InlineData(""" "rope_scaling": "linear" """, "rope_scaling")]
    [InlineData(""" "head_dim": 7 """, "head_dim")]
    public void Should_name_the_key_of_a_malformed_rope_scaling_or_head_dim(string extra, string key)
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse("llama", extra));
        Assert.Contains($"\"{key}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_write_back_every_key_it_read_including_the_ones_it_does_not_use()
    {
        var original = JsonNode.Parse($$"""
            {"model_type": "qwen2", {{Base}}, "head_dim": 16, "rope_theta": 1000000.0,
             "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
             "use_sliding_window": false, "sliding_window": 4096, "max_window_layers": 21, "transformers_version": "4.43.1",
             "architectures": ["Qwen2ForCausalLM"], "tie_word_embeddings": true}
            """)!.AsObject();
        var config = ModelConfig.Parse(original, "cfg.json");

        var written = config.ToJson();
        var reread = ModelConfig.Parse(written, "written.json");

        Assert.Equal(config, reread);
        foreach (var (key, value) in original)
            Assert.True(JsonNode.DeepEquals(value, written[key]), $"{key}: {value?.ToJsonString()} became {written[key]?.ToJsonString()}");
    }
}
