// Small seeded models and batches the specs share.
using Dash.Model.Config;
using Dash.Model.Learning;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests;

internal static class TinyModels
{
    /// <summary>A 2-layer Llama (or Qwen2 with biases) over a 40-token vocabulary, weights drawn from <paramref name="seed"/>.</summary>
    public static CausalLM Create(long seed = 1, bool qwen2 = false, bool tied = true, bool fused = true)
    {
        var config = ModelConfig.Tiny(40) with
        {
            NumHiddenLayers = 2,
            HiddenSize = 64,
            IntermediateSize = 96,
            ModelType = qwen2 ? "qwen2" : "llama",
            AttentionBias = qwen2,
            TieWordEmbeddings = tied,
        };
        var model = new CausalLM(config, fused: fused);
        using var generator = new Generator((ulong)seed);
        model.InitializeWeights(generator);
        return model;
    }

    /// <summary>The model's tensors by Hugging Face name (views of fused parameters).</summary>
    public static Dictionary<string, Tensor> HuggingFaceDictionary(this CausalLM model) =>
        model.HuggingFaceTensors().ToDictionary(p => p.Name, p => p.Tensor);

    /// <summary>Four rows with different prompt and completion lengths.</summary>
    public static TokenRow[] Rows() =>
    [
        new([1, 5, 6], [7, 8, 9, 2]),
        new([1, 10], [11, 2]),
        new([1, 12, 13, 14], [15, 16, 17, 18, 19, 2]),
        new([1, 20, 21], [22]),
    ];
}
