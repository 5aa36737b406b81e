// Specifies flat weight/gradient copies and the weight hash.
using Dash.Model.Parameters;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Parameters;

public sealed class FlatParametersSpecs
{
    [Fact]
    public void Should_round_trip_weights_through_a_flat_buffer()
    {
        using var source = TinyModels.Create(seed: 1);
        using var target = TinyModels.Create(seed: 2);
        var from = new FlatParameters(source.parameters());
        var to = new FlatParameters(target.parameters());
        Assert.NotEqual(from.WeightsSha256(), to.WeightsSha256());

        var buffer = new float[from.Count];
        from.CopyWeightsTo(buffer);
        to.CopyWeightsFrom(buffer);

        Assert.Equal(from.WeightsSha256(), to.WeightsSha256());
        Assert.Equal(source.parameters().Sum(p => p.numel()), from.Count);
    }

    [Fact]
    public void Should_copy_and_add_gradients()
    {
        using var model = TinyModels.Create();
        var flat = new FlatParameters(model.parameters());
        var ones = Enumerable.Repeat(1f, (int)flat.Count).ToArray();

        flat.AddGradientsFrom(ones);   // creates zero gradients first
        flat.AddGradientsFrom(ones);
        var grads = new float[flat.Count];
        flat.CopyGradientsTo(grads);

        Assert.All(grads, g => Assert.Equal(2f, g));
        using var scope = NewDisposeScope();
        Assert.Equal(2f, model.parameters().First().grad!.mean().item<float>());
    }

    [Fact]
    public void Should_report_zero_for_parameters_without_gradients()
    {
        using var model = TinyModels.Create();
        var flat = new FlatParameters(model.parameters());
        var grads = Enumerable.Repeat(5f, (int)flat.Count).ToArray();
        flat.CopyGradientsTo(grads);
        Assert.All(grads, g => Assert.Equal(0f, g));
    }
}
