// Fused q/k/v and gate/up projections: one GEMM each, with the Hugging Face tensors as row ranges of the fused ones.
using Dash.Model.Config;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// Where each Hugging Face projection lives inside a fused parameter: <c>self_attn.qkv_proj.{weight,bias}</c> stacks
/// q_proj, k_proj and v_proj along dim 0 (rows [0, H·d), then KvH·d rows each), <c>mlp.gate_up_proj.weight</c> stacks
/// gate_proj and up_proj. Row ranges of a contiguous [rows, D] tensor are contiguous views, so loading, saving,
/// initialising and the optimizer's state file see the Hugging Face tensors, in Hugging Face order, without a copy.
/// </summary>
public static class FusedProjections
{
    public const string Qkv = "qkv_proj";
    public const string GateUp = "gate_up_proj";

    /// <summary>
    /// The Hugging Face tensors inside the model tensor <paramref name="name"/>: views of its rows for a fused
    /// projection (dispose them, e.g. in a dispose scope), the tensor itself otherwise.
    /// </summary>
    public static IEnumerable<(string Name, Tensor Part)> Split(string name, Tensor tensor, ModelConfig config)
    {
        var parts = Parts(name, config);
        if (parts is null)
        {
            yield return (name, tensor);
            yield break;
        }
        long offset = 0;
        foreach (var (partName, rows) in parts)
        {
            yield return (partName, tensor.narrow(0, offset, rows));
            offset += rows;
        }
    }

    /// <summary>The Hugging Face names and row counts of a fused tensor's parts, in order; null for any other name.</summary>
    public static (string Name, long Rows)[]? Parts(string name, ModelConfig config)
    {
        var dot = name.LastIndexOf('.');
        if (dot < 0) return null;
        var (module, leaf) = (name[..dot], name[dot..]);
        long q = (long)config.NumAttentionHeads * config.HeadDim, kv = (long)config.NumKeyValueHeads * config.HeadDim;
        if (module.EndsWith("self_attn." + Qkv, StringComparison.Ordinal))
        {
            var prefix = module[..^Qkv.Length];
            return [(prefix + "q_proj" + leaf, q), (prefix + "k_proj" + leaf, kv), (prefix + "v_proj" + leaf, kv)];
        }
        if (module.EndsWith("mlp." + GateUp, StringComparison.Ordinal))
        {
            var prefix = module[..^GateUp.Length];
            return [(prefix + "gate_proj" + leaf, config.IntermediateSize), (prefix + "up_proj" + leaf, config.IntermediateSize)];
        }
        return null;
    }
}
