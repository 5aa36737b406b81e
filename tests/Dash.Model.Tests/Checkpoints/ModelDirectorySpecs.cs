// Specifies saving and loading model directories: bit-exact round trips, dtype conversion, shards, metadata.
using System.Text.Json.Nodes;
using Dash.Model.Checkpoints;
using Dash.Model.Parameters;
using Dash.Model.Tests.Transformer;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Checkpoints;

public sealed class ModelDirectorySpecs
{
    [Fact]
    public void Should_load_a_qwen2_shaped_checkpoint_back_bit_exactly()
    {
        using var dir = new TempDirectory();
        using var original = TinyModels.Create(seed: 11, qwen2: true, tied: false);
        ModelDirectory.Save(original, dir.Path);

        using var loaded = ModelDirectory.Load(dir.Path);

        Assert.Equal(original.Config, loaded.Config);
        Assert.True(loaded.Config.AttentionBias);
        Assert.Contains("lm_head.weight", loaded.state_dict().Keys);
        Assert.Equal(new FlatParameters(original.parameters()).WeightsSha256(), new FlatParameters(loaded.parameters()).WeightsSha256());
        Assert.False(Directory.EnumerateFiles(dir.Path, "*.tmp-*").Any(), "the atomic writer left a temp file behind");
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void Should_convert_half_precision_files_to_the_model_dtype(ScalarType stored)
    {
        using var dir = new TempDirectory();
        using var original = TinyModels.Create(seed: 12);
        ModelDirectory.Save(original, dir.Path);
        using (var scope = NewDisposeScope())
        {
            var halves = original.HuggingFaceDictionary().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(stored));
            SafetensorsWriter.Write(dir.File(ModelDirectory.WeightsFile), halves);
            using var file = SafetensorsFile.Open(dir.File(ModelDirectory.WeightsFile));
            Assert.Equal(stored == ScalarType.BFloat16 ? SafetensorsDtype.BF16 : SafetensorsDtype.F16, file.Tensors["model.norm.weight"].Dtype);
        }

        using var loaded = ModelDirectory.Load(dir.Path);

        using var check = NewDisposeScope();
        foreach (var (name, p) in loaded.state_dict())
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            var expected = original.state_dict()[name].to_type(stored).to_type(ScalarType.Float32);
            Assert.True(p.eq(expected).all().item<bool>(), $"{name} is not the {stored} rounding of the original");
        }
    }

    /// <summary>
    /// Saves <paramref name="original"/> as two shards with an index instead of one model.safetensors. With
    /// <paramref name="unlistFirstOfSecond"/> the index leaves out the second shard's first tensor; returns its name.
    /// </summary>
    private static string WriteTwoShards(TempDirectory dir, Dash.Model.Transformer.CausalLM original, bool unlistFirstOfSecond = false)
    {
        ModelDirectory.Save(original, dir.Path);
        File.Delete(dir.File(ModelDirectory.WeightsFile));
        var all = original.HuggingFaceDictionary().ToList();
        var (first, second) = (all.Take(all.Count / 2).ToList(), all.Skip(all.Count / 2).ToList());
        SafetensorsWriter.Write(dir.File("model-00001-of-00002.safetensors"), first);
        SafetensorsWriter.Write(dir.File("model-00002-of-00002.safetensors"), second);
        var map = new JsonObject();
        foreach (var (k, _) in first) map[k] = "model-00001-of-00002.safetensors";
        foreach (var (k, _) in second.Skip(unlistFirstOfSecond ? 1 : 0)) map[k] = "model-00002-of-00002.safetensors";
        File.WriteAllText(dir.File(ModelDirectory.IndexFile), new JsonObject { ["weight_map"] = map }.ToJsonString());
        return second[0].Key;
    }

    [Fact]
    public void Should_load_sharded_checkpoints_through_the_index()
    {
        using var dir = new TempDirectory();
        using var original = TinyModels.Create(seed: 13);
        WriteTwoShards(dir, original);

        using var loaded = ModelDirectory.Load(dir.Path);

        Assert.Equal(new FlatParameters(original.parameters()).WeightsSha256(), new FlatParameters(loaded.parameters()).WeightsSha256());
    }

    [Fact]
    public void Should_name_the_index_when_its_weight_map_leaves_out_a_tensor_a_shard_holds()
    {
        using var dir = new TempDirectory();
        using var original = TinyModels.Create(seed: 13);
        var unlisted = WriteTwoShards(dir, original, unlistFirstOfSecond: true);

        var verify = Assert.Throws<SafetensorsException>(() => ModelDirectory.Verify(dir.Path));
        var load = Assert.Throws<SafetensorsException>(() => ModelDirectory.Load(dir.Path));

        foreach (var e in new[] { verify, load })
        {
            Assert.Contains(ModelDirectory.IndexFile, e.Message, StringComparison.Ordinal);
            Assert.Contains(unlisted, e.Message, StringComparison.Ordinal);
            Assert.Contains("model-00002-of-00002.safetensors holds it", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Should_round_trip_metadata_and_integer_tensors()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, -2, 3 });
        var counts = tensor(new int[] { 7, 8 }, [1, 2]);
        SafetensorsWriter.Write(dir.File("x.safetensors"), new Dictionary<string, Tensor> { ["ids"] = ids, ["counts"] = counts },
            new Dictionary<string, string> { ["step"] = "12", ["note"] = "hello" });

        using var file = SafetensorsFile.Open(dir.File("x.safetensors"));

        Assert.Equal("12", file.Metadata["step"]);
        Assert.Equal("hello", file.Metadata["note"]);
        Assert.True(file.Read("ids").eq(ids).all().item<bool>());
        Assert.True(file.Read("counts").eq(counts).all().item<bool>());
        Assert.Equal([1L, 2L], file.Tensors["counts"].Shape);
    }

    [Fact]
    public void Should_load_the_real_stories260k_directory_with_its_config()
    {
        using var model = Stories260K.Load();
        Assert.Equal(5, model.Config.NumHiddenLayers);
        Assert.Equal(4, model.Config.NumKeyValueHeads);
        Assert.Equal([2], model.Config.EosTokenIds);
        Assert.Equal(ScalarType.Float32, model.Dtype);
    }
}
