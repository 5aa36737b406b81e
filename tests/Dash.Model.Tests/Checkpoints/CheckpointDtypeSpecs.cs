// Specifies that checkpoints keep the dtypes of the Hugging Face files they were loaded from.
using System.Text.Json.Nodes;
using Dash.Model.Checkpoints;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Checkpoints;

public sealed class CheckpointDtypeSpecs
{
    [Fact]
    public void Should_save_a_directory_loaded_from_bf16_safetensors_back_as_bf16()
    {
        using var source = Bf16Directory(seed: 31);
        using var saved = new TempDirectory();
        using var model = ModelDirectory.Load(source.Path);      // float32 weights, the BF16 values widened

        ModelDirectory.Save(model, saved.Path);

        using (var file = SafetensorsFile.Open(saved.File(ModelDirectory.WeightsFile)))
            Assert.All(file.Tensors.Values, e => Assert.Equal(SafetensorsDtype.BF16, e.Dtype));
        Assert.Equal("bfloat16", (string?)JsonNode.Parse(File.ReadAllText(saved.File(ModelDirectory.ConfigFile)))!["torch_dtype"]);
        Assert.Equal(File.ReadAllBytes(source.File(ModelDirectory.WeightsFile)), File.ReadAllBytes(saved.File(ModelDirectory.WeightsFile)));
    }

    [Fact]
    public void Should_keep_the_exact_master_weights_of_a_bf16_directory_for_resuming()
    {
        using var source = Bf16Directory(seed: 32);
        using var checkpoint = new TempDirectory();
        using var model = ModelDirectory.Load(source.Path);
        using (no_grad()) foreach (var p in model.parameters()) p.add_(1e-4);   // a step bf16 cannot represent
        var exact = Weights(model);

        TrainingCheckpoint.Save(model, checkpoint.Path);
        using var resumed = ModelDirectory.Load(source.Path);
        TrainingCheckpoint.Load(resumed, checkpoint.Path);
        using var exported = ModelDirectory.Load(checkpoint.Path);

        Assert.Equal(exact, Weights(resumed));
        Assert.NotEqual(exact, Weights(exported));                             // model.safetensors holds the BF16 rounding
        Assert.True(File.Exists(checkpoint.File(TrainingCheckpoint.MasterWeightsFile)));
    }

    [Fact]
    public void Should_write_no_master_weights_when_nothing_is_rounded()
    {
        using var checkpoint = new TempDirectory();
        using var model = TinyModels.Create(seed: 33);

        TrainingCheckpoint.Save(model, checkpoint.Path);

        Assert.False(File.Exists(checkpoint.File(TrainingCheckpoint.MasterWeightsFile)));
        using var file = SafetensorsFile.Open(checkpoint.File(ModelDirectory.WeightsFile));
        Assert.All(file.Tensors.Values, e => Assert.Equal(SafetensorsDtype.F32, e.Dtype));
    }

    // A tiny model saved with every tensor in BF16, as Hugging Face ships most checkpoints.
    private static TempDirectory Bf16Directory(long seed)
    {
        var dir = new TempDirectory();
        using var model = TinyModels.Create(seed, qwen2: true, tied: false);
        ModelDirectory.Save(model, dir.Path);
        using var scope = NewDisposeScope();
        SafetensorsWriter.Write(dir.File(ModelDirectory.WeightsFile),
            model.HuggingFaceDictionary().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.BFloat16)),
            new Dictionary<string, string> { ["format"] = "pt" });
        return dir;
    }

    private static string Weights(CausalLM model)
    {
        using var scope = NewDisposeScope();
        return string.Join(",", model.HuggingFaceTensors().Select(p => Convert.ToHexString(p.Tensor.contiguous().bytes)));
    }
}
