// Root-mean-square layer norm as in Llama/Qwen2: x / sqrt(mean(x^2) + eps) * weight, computed in float32.
using TorchSharp;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>RMSNorm with one learned scale per feature (Hugging Face name: <c>weight</c>).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter weight;
    private readonly double _eps;

    public RmsNorm(long size, double eps, Device device, ScalarType dtype) : base(nameof(RmsNorm))
    {
        weight = new TorchSharp.Modules.Parameter(ones(size, dtype: dtype, device: device));
        _eps = eps;
        RegisterComponents();
    }

    // x: [..., D] -> [..., D]
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // In float32 the two casts are no-ops; skipping them saves two native calls per norm (9 per decode step of a
        // 4-layer model), which is what a small model's batch-1 decode step costs.
        var isFloat32 = x.dtype == ScalarType.Float32;
        var x32 = isFloat32 ? x : x.to_type(ScalarType.Float32);
        var meanSquare = x32.pow(2).mean([-1], keepdim: true);
        // Without autograd (sampling, evaluation) the scalar steps run in place on tensors made here: the same
        // operations on the same values, so the same bits, with two fewer allocations per norm.
        var inPlace = !is_grad_enabled();
        var normed = x32 * (inPlace ? meanSquare.add_(_eps).rsqrt_() : (meanSquare + _eps).rsqrt());
        var cast = isFloat32 ? normed : normed.to_type(x.dtype);
        return (inPlace ? cast.mul_(weight) : cast * weight).MoveToOuterDisposeScope();
    }
}
