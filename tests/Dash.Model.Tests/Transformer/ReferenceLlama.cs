// An independent float64 Llama forward for specs, written from the architecture description, reading a saved checkpoint.
using Dash.Model.Checkpoints;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

/// <summary>
/// Hugging Face Llama semantics for one sequence, in float64, from the HF-named tensors of a model.safetensors:
/// pre-norm RMSNorm, rotate-half RoPE with the caller's inverse frequencies, grouped-query causal attention scaled by
/// 1/√head_dim, q/k/v biases when stored, SwiGLU MLP, tied or untied head. No Dash model code is used.
/// </summary>
internal static class ReferenceLlama
{
    public sealed record Shape(int Layers, int Heads, int KvHeads, int HeadDim, double Eps);

    /// <summary>Logits [T, V] of <paramref name="ids"/> at <paramref name="positions"/>.</summary>
    public static double[,] Logits(string weightsFile, Shape shape, double[] invFreq, long[] ids, long[] positions)
    {
        using var scope = NewDisposeScope();
        using var file = SafetensorsFile.Open(weightsFile);
        Tensor W(string name) => file.Read(name, ScalarType.Float32).to_type(ScalarType.Float64);
        Tensor Linear(Tensor x, string name) => file.Tensors.ContainsKey(name + ".bias")
            ? matmul(x, W(name + ".weight").t()) + W(name + ".bias")
            : matmul(x, W(name + ".weight").t());
        var t = ids.Length;

        var h = W("model.embed_tokens.weight").index_select(0, tensor(ids));                   // [T, D]
        var angles = outer(tensor(positions).to_type(ScalarType.Float64), tensor(invFreq));   // [T, d/2]
        var cos = cat([angles.cos(), angles.cos()], -1).unsqueeze(1);                          // [T, 1, d]
        var sin = cat([angles.sin(), angles.sin()], -1).unsqueeze(1);
        var causal = ones(t, t, dtype: ScalarType.Bool).tril();
        for (var l = 0; l < shape.Layers; l++)
        {
            var p = $"model.layers.{l}.";
            var x = Norm(h, W(p + "input_layernorm.weight"), shape.Eps);
            var q = Rotate(Linear(x, p + "self_attn.q_proj").reshape(t, shape.Heads, shape.HeadDim), cos, sin);
            var k = Rotate(Linear(x, p + "self_attn.k_proj").reshape(t, shape.KvHeads, shape.HeadDim), cos, sin);
            var v = Linear(x, p + "self_attn.v_proj").reshape(t, shape.KvHeads, shape.HeadDim);
            var heads = new List<Tensor>();
            for (var head = 0; head < shape.Heads; head++)
            {
                var kv = head / (shape.Heads / shape.KvHeads);
                var scores = matmul(q.select(1, head), k.select(1, kv).t()) / Math.Sqrt(shape.HeadDim);  // [T, T]
                heads.Add(matmul(scores.masked_fill(causal.logical_not(), double.NegativeInfinity).softmax(-1), v.select(1, kv)));
            }
            h = h + matmul(cat(heads, -1), W(p + "self_attn.o_proj.weight").t());
            x = Norm(h, W(p + "post_attention_layernorm.weight"), shape.Eps);
            var gate = matmul(x, W(p + "mlp.gate_proj.weight").t());
            var up = matmul(x, W(p + "mlp.up_proj.weight").t());
            h = h + matmul(gate * gate.sigmoid() * up, W(p + "mlp.down_proj.weight").t());
        }
        h = Norm(h, W("model.norm.weight"), shape.Eps);
        var head2 = file.Tensors.ContainsKey("lm_head.weight") ? W("lm_head.weight") : W("model.embed_tokens.weight");
        var logits = matmul(h, head2.t());
        var result = new double[t, logits.shape[1]];
        var flat = logits.data<double>().ToArray();
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    private static Tensor Norm(Tensor x, Tensor w, double eps) => x / (x.pow(2).mean([-1], keepdim: true) + eps).sqrt() * w;

    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var rotated = cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }
}
