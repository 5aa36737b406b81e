// The SwiGLU feed-forward block: down_proj(silu(gate_proj(x)) * up_proj(x)).
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>SwiGLU MLP with Hugging Face names gate_proj, up_proj, down_proj (no biases).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear gate_proj;
    private readonly TorchSharp.Modules.Linear up_proj;
    private readonly TorchSharp.Modules.Linear down_proj;

    public Mlp(int hidden, int intermediate, Device device, ScalarType dtype) : base(nameof(Mlp))
    {
        gate_proj = nn.Linear(hidden, intermediate, hasBias: false, device: device, dtype: dtype);
        up_proj = nn.Linear(hidden, intermediate, hasBias: false, device: device, dtype: dtype);
        down_proj = nn.Linear(intermediate, hidden, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    // x: [B, T, D] -> [B, T, D]
    public override Tensor forward(Tensor x)
    {
        using var gate = gate_proj.forward(x);
        using var act = nn.functional.silu(gate);
        using var up = up_proj.forward(x);
        using var h = act * up;
        return down_proj.forward(h);
    }
}
