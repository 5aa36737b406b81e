// The SwiGLU feed-forward block: down_proj(silu(gate_proj(x)) * up_proj(x)).
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// SwiGLU MLP (no biases) with down_proj and either one fused gate_up_proj (gate rows, then up rows: one GEMM, see
/// <see cref="FusedProjections"/>) or Hugging Face's separate gate_proj and up_proj.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear? gate_up_proj;
    private readonly TorchSharp.Modules.Linear? gate_proj;
    private readonly TorchSharp.Modules.Linear? up_proj;
    private readonly TorchSharp.Modules.Linear down_proj;
    private readonly int _intermediate;

    public Mlp(int hidden, int intermediate, Device device, ScalarType dtype, bool fused = true) : base(nameof(Mlp))
    {
        _intermediate = intermediate;
        if (fused)
        {
            gate_up_proj = nn.Linear(hidden, 2 * intermediate, hasBias: false, device: device, dtype: dtype);
        }
        else
        {
            gate_proj = nn.Linear(hidden, intermediate, hasBias: false, device: device, dtype: dtype);
            up_proj = nn.Linear(hidden, intermediate, hasBias: false, device: device, dtype: dtype);
        }
        down_proj = nn.Linear(intermediate, hidden, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    // x: [B, T, D] -> [B, T, D]
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor gate, up;                                                 // [B, T, I] each
        if (gate_up_proj is null)
        {
            (gate, up) = (gate_proj!.forward(x), up_proj!.forward(x));
        }
        else
        {
            var both = gate_up_proj.forward(x);                          // [B, T, 2I]
            (gate, up) = (both.narrow(-1, 0, _intermediate), both.narrow(-1, _intermediate, _intermediate));
        }
        var activated = nn.functional.silu(gate);
        // Without autograd the product goes into silu's output (the same products, one [B, T, I] allocation fewer).
        var hidden = is_grad_enabled() ? activated * up : activated.mul_(up);
        return down_proj.forward(hidden).MoveToOuterDisposeScope();
    }
}
