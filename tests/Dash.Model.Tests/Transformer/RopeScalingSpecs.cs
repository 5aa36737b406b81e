// Specifies RoPE scaling (linear, llama3) and head_dim against the published formulas and an independent forward pass.
using System.Text.Json.Nodes;
using Dash.Model.Checkpoints;
using Dash.Model.Config;
using Dash.Model.Tests.Checkpoints;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Transformer;

public sealed class RopeScalingSpecs
{
    // The published formulas, in float64: inv_freq[i] = 1 / theta^(2i/d); linear divides by the factor; llama3 keeps
    // wavelengths 2π/inv below original/high_freq_factor, divides those above original/low_freq_factor by the factor,
    // and blends the rest with s = (original/wavelength − low) / (high − low): (1 − s)·inv/factor + s·inv.
    private static double[] Plain(int d, double theta) => [.. Enumerable.Range(0, d / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / d))];

    private static double[] Expected(int d, double theta, RopeScaling? s) => s?.Type switch
    {
        null => Plain(d, theta),
        "linear" => [.. Plain(d, theta).Select(f => f / s.Factor)],
        _ => [.. Plain(d, theta).Select(f =>
        {
            var wavelength = 2 * Math.PI / f;
            if (wavelength < s.OriginalMaxPositionEmbeddings / s.HighFreqFactor) return f;
            if (wavelength > s.OriginalMaxPositionEmbeddings / s.LowFreqFactor) return f / s.Factor;
            var smooth = (s.OriginalMaxPositionEmbeddings / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
            return (1 - smooth) * f / s.Factor + smooth * f;
        })],
    };

    private static RopeScaling Llama3(double factor, int original) =>
        new() { Type = "llama3", Factor = factor, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = original };

    public static TheoryData<string, int, double, RopeScaling?> Frequencies() => new()
    {
        { "Llama 3.1 8B", 128, 500000.0, Llama3(8, 8192) },
        { "Llama 3.2 1B", 64, 500000.0, Llama3(32, 8192) },
        { "linear x4", 128, 10000.0, new RopeScaling { Type = "linear", Factor = 4 } },
        { "plain", 64, 1e6, null },
    };

    [Theory]
    [MemberData(nameof(Frequencies))]
    public void Should_compute_the_inverse_frequencies_of_the_published_formula(string name, int headDim, double theta, RopeScaling? scaling)
    {
        using var actual = RotaryEmbedding.InverseFrequencies(headDim, theta, scaling);
        var expected = Expected(headDim, theta, scaling);

        var got = actual.data<float>().ToArray();
        Assert.Equal(expected.Length, got.Length);
        for (var i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(got[i] - expected[i]) <= 2e-6 * expected[i], $"{name}: inv_freq[{i}] = {got[i]}, formula {expected[i]}");
    }

    public static TheoryData<string, string> Checkpoints() => new()
    {
        // head_dim 16 while hidden_size / heads = 12: q/k/v project to 4 × 16 (or 2 × 16) and o_proj back to 48.
        { "llama3, head_dim 16", """ "head_dim": 16, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64} """ },
        { "linear x4", """ "rope_scaling": {"type": "linear", "factor": 4.0} """ },
        { "head_dim 24", """ "head_dim": 24 """ },
    };

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Should_match_an_independent_forward_pass_that_uses_the_key(string name, string keys)
    {
        using var dir = new TempDirectory();
        var json = JsonNode.Parse($$"""
            {"model_type": "llama", "hidden_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "intermediate_size": 64, "vocab_size": 50, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": false, {{keys}}}
            """)!.AsObject();
        File.WriteAllText(dir.File(ModelDirectory.ConfigFile), json.ToJsonString());
        var config = ModelConfig.Load(dir.File(ModelDirectory.ConfigFile));
        using (var built = new CausalLM(config))
        {
            using var generator = new Generator(7);
            built.InitializeWeights(generator);
            using (no_grad()) foreach (var (n, p) in built.named_parameters()) if (!n.EndsWith("norm.weight", StringComparison.Ordinal)) p.mul_(10);
            ModelDirectory.Save(built, dir.Path);
        }
        long[] ids = [3, 17, 5, 42, 8, 8, 29, 1, 33, 12, 40, 6];
        long[] positions = [.. Enumerable.Range(40, ids.Length).Select(p => (long)p)];
        var headDim = json["head_dim"] is { } hd ? (int)hd : 12;
        var shape = new ReferenceLlama.Shape(2, 4, 2, headDim, 1e-5);

        using var model = ModelDirectory.Load(dir.Path);
        using var logits = model.Forward(tensor(ids, [1, ids.Length]), tensor(positions, [1, ids.Length]));
        var dash = logits[0].to_type(ScalarType.Float64).data<double>().ToArray();
        var reference = ReferenceLlama.Logits(dir.File(ModelDirectory.WeightsFile), shape, Expected(headDim, 10000.0, config.RopeScaling), ids, positions);
        var plainRope = ReferenceLlama.Logits(dir.File(ModelDirectory.WeightsFile), shape, Plain(headDim, 10000.0), ids, positions);

        var flat = reference.Cast<double>().ToArray();
        var worst = dash.Zip(flat, (a, b) => Math.Abs(a - b)).Max();
        var scale = flat.Max(Math.Abs);
        Assert.True(worst < 1e-4 * scale, $"{name}: max |Dash - reference| = {worst} (logits up to {scale})");
        if (config.RopeScaling is not null)
        {
            var effect = plainRope.Cast<double>().Zip(flat, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(effect > 100 * worst, $"{name}: scaling moves the logits by only {effect}; the spec would not see it ignored");
        }
    }
}
