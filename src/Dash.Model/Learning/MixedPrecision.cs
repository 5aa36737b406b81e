// Mixed-precision training: a bfloat16 replica computes forward and backward, float32 master weights are stepped.
using Dash.Model.Transformer;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dash.Model.Learning;

/// <summary>
/// Pairs a float32 master model (the weights AdamW updates, with float32 moments, and the weights that are saved and
/// broadcast) with a lower-precision compute replica of the same architecture that runs forward and backward. After
/// each backward <see cref="AccumulateGradients"/> adds the replica's gradients into the master's float32 gradients
/// (so accumulation over micro-batches happens in float32); after each optimizer step <see cref="CopyWeights"/>
/// rounds the master weights into the replica.
/// </summary>
public sealed class MixedPrecision
{
    private readonly (Parameter Master, Parameter Compute)[] _pairs;

    public MixedPrecision(CausalLM master, CausalLM compute)
    {
        if (master.Dtype != ScalarType.Float32) throw new ArgumentException($"master weights must be float32; found {master.Dtype}.");
        var masters = master.named_parameters().ToArray();
        var computes = compute.named_parameters().ToArray();
        if (masters.Length != computes.Length || masters.Zip(computes).Any(p => p.First.name != p.Second.name || !p.First.parameter.shape.SequenceEqual(p.Second.parameter.shape)))
            throw new ArgumentException("the compute replica's parameters must match the master model's by name and shape.");
        _pairs = [.. masters.Zip(computes, (m, c) => (m.parameter, c.parameter))];
        CopyWeights();
    }

    /// <summary>master.grad += replica.grad (in float32), then zeroes the replica's gradients.</summary>
    public void AccumulateGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (master, compute) in _pairs)
        {
            if (compute.grad is not { } grad) continue;
            if (master.grad is null) master.grad = zeros_like(master).DetachFromDisposeScope();
            master.grad!.add_(grad.to_type(ScalarType.Float32));
            grad.zero_();
        }
    }

    /// <summary>Rounds the master weights into the replica (call after every optimizer step or weight load).</summary>
    public void CopyWeights()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (master, compute) in _pairs) compute.copy_(master);
    }
}
