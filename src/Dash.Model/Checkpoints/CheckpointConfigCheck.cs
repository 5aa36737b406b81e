// Checks the config.json keys a checkpoint's tensors can contradict (head_dim, tie_word_embeddings), naming the key.
using Dash.Model.Config;
using static TorchSharp.torch;

namespace Dash.Model.Checkpoints;

/// <summary>
/// Runs before any weight is read, so a wrong head_dim or tie flag is one line naming config.json's key rather
/// than a tensor-shape error; the tied-head comparison runs after loading, on the weights as stored.
/// </summary>
internal static class CheckpointConfigCheck
{
    /// <summary>Stored names → (file, shape); throws <see cref="ModelConfigException"/> naming the key at fault.</summary>
    public static void BeforeLoading(ModelConfig config, string configPath, IReadOnlyDictionary<string, (string File, long[] Shape)> stored)
    {
        if (!config.TieWordEmbeddings && !stored.ContainsKey("lm_head.weight"))
            throw new ModelConfigException(
                $"{configPath}: \"tie_word_embeddings\" = false but no weight file holds lm_head.weight; set it to true if the LM head is the embedding matrix.");

        var (d, q, kv) = (config.HiddenSize, (long)config.NumAttentionHeads * config.HeadDim, (long)config.NumKeyValueHeads * config.HeadDim);
        foreach (var (suffix, expected) in new (string, long[])[]
                 {
                     ("self_attn.q_proj.weight", [q, d]), ("self_attn.k_proj.weight", [kv, d]),
                     ("self_attn.v_proj.weight", [kv, d]), ("self_attn.o_proj.weight", [d, q]),
                 })
        {
            var name = $"model.layers.0.{suffix}";
            if (!stored.TryGetValue(name, out var entry) || entry.Shape.SequenceEqual(expected)) continue;
            var headDim = $"\"head_dim\" = {config.HeadDim}" + (config.HeadDimIsSet ? "" : " (unset: hidden_size / num_attention_heads)");
            throw new ModelConfigException(
                $"{configPath}: {headDim} gives {name} the shape [{string.Join(", ", expected)}] but {System.IO.Path.GetFileName(entry.File)} " +
                $"stores [{string.Join(", ", entry.Shape)}]; set head_dim to the checkpoint's head width.");
        }
    }

    /// <summary>A tied config whose checkpoint still stores an lm_head.weight must store the embedding matrix there.</summary>
    public static void TiedHead(ModelConfig config, string configPath, SafetensorsFile file, Tensor embedding)
    {
        if (!config.TieWordEmbeddings || !file.Tensors.ContainsKey("lm_head.weight")) return;
        using var head = file.Read("lm_head.weight", embedding.dtype);
        using var cpuEmbedding = embedding.detach().cpu();
        if (head.shape.SequenceEqual(cpuEmbedding.shape) && head.allclose(cpuEmbedding, rtol: 0, atol: 0)) return;
        throw new ModelConfigException(
            $"{configPath}: \"tie_word_embeddings\" = true but {System.IO.Path.GetFileName(file.Path)} stores an lm_head.weight that differs from " +
            "model.embed_tokens.weight; set tie_word_embeddings to false to use it.");
    }
}
