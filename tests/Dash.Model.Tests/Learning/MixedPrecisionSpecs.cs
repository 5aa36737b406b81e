// Specifies mixed-precision training: bf16 forward/backward, float32 gradient accumulation, master weights and AdamW.
using Dash.Model.Learning;
using Dash.Model.Optim;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Learning;

public sealed class MixedPrecisionSpecs
{
    private static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    private static Tensor Loss(CausalLM model, TokenBatch batch) =>
        -(CompletionLogProbs.Compute(model, batch) * batch.CompletionMask).sum();

    [Fact]
    public void Should_accumulate_bfloat16_gradients_into_float32_master_gradients_close_to_float32_training()
    {
        using var master = TinyModels.Create(seed: 6);
        using var reference = TinyModels.Create(seed: 6);
        using var compute = new CausalLM(master.Config, dtype: ScalarType.BFloat16);
        var mixed = new MixedPrecision(master, compute);
        using var batch = TokenBatch.Build(TinyModels.Rows(), padId: 0);
        using var scope = NewDisposeScope();

        for (var micro = 0; micro < 2; micro++)
        {
            Loss(compute, batch).backward();
            mixed.AccumulateGradients();
            Loss(reference, batch).backward();
        }

        foreach (var ((name, m), (_, c), (_, r)) in master.named_parameters().Zip(compute.named_parameters(), reference.named_parameters()))
        {
            Assert.Equal(ScalarType.Float32, m.grad!.dtype);
            Assert.Equal(0, c.grad!.abs().max().to_type(ScalarType.Float32).item<float>());
            var error = (m.grad - r.grad!).norm().item<float>() / Math.Max(1e-12f, r.grad!.norm().item<float>());
            Assert.True(error < 0.05, $"{name}: relative gradient error {error}");
        }
    }

    [Fact]
    public void Should_step_float32_master_weights_and_round_them_into_the_replica()
    {
        using var master = TinyModels.Create(seed: 7);
        using var compute = new CausalLM(master.Config, dtype: ScalarType.BFloat16);
        var mixed = new MixedPrecision(master, compute);
        using var optimizer = new AdamW(master.named_parameters(), new AdamWOptions(), new LearningRateSchedule(1e-4));
        using var batch = TokenBatch.Build(TinyModels.Rows(), padId: 0);
        using var scope = NewDisposeScope();
        var before = master.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        Loss(compute, batch).backward();
        mixed.AccumulateGradients();
        optimizer.Step();
        mixed.CopyWeights();

        foreach (var ((name, m), (_, c)) in master.named_parameters().Zip(compute.named_parameters()))
        {
            Assert.Equal(ScalarType.Float32, m.dtype);
            Assert.True(Same(m.to_type(ScalarType.BFloat16), c), $"{name}: the replica is not the master rounded to bf16");
        }
        // A 1e-4 step is below bf16's resolution for most weights: only float32 master weights keep it.
        var moved = master.named_parameters().Count(p => !Same(p.parameter, before[p.name]));
        Assert.True(moved >= master.named_parameters().Count() - 1, $"only {moved} master tensors moved");
    }
}
