// Specifies the config keys a checkpoint's tensors can contradict (head_dim, tie_word_embeddings): one line naming the key.
using System.Text.Json.Nodes;
using Dash.Model.Checkpoints;
using Dash.Model.Config;
using Dash.Model.Tests.Checkpoints;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Config;

public sealed class CheckpointConfigSpecs
{
    private static void EditConfig(TempDirectory dir, Action<JsonObject> edit)
    {
        var path = dir.File(ModelDirectory.ConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    [Fact]
    public void Should_name_head_dim_when_it_contradicts_the_stored_projections()
    {
        using var dir = new TempDirectory();
        using (var model = TinyModels.Create(seed: 3)) ModelDirectory.Save(model, dir.Path); // 64 wide, 4 heads of 16
        EditConfig(dir, json => json["head_dim"] = 32);

        var e = Assert.Throws<ModelConfigException>(() => ModelDirectory.Load(dir.Path));

        Assert.Contains("\"head_dim\" = 32", e.Message, StringComparison.Ordinal);
        Assert.Contains("[64, 64]", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Should_load_a_checkpoint_whose_head_dim_differs_from_hidden_over_heads()
    {
        using var dir = new TempDirectory();
        using (var tiny = TinyModels.Create())
        using (var model = new Dash.Model.Transformer.CausalLM(tiny.Config with { HeadDim = 24 })) ModelDirectory.Save(model, dir.Path);

        using var loaded = ModelDirectory.Load(dir.Path);

        Assert.Equal(24, loaded.Config.HeadDim);
        Assert.Equal([96L, 64L], loaded.HuggingFaceDictionary()["model.layers.0.self_attn.q_proj.weight"].shape);
    }

    [Fact]
    public void Should_refuse_an_untied_config_without_an_lm_head()
    {
        using var dir = new TempDirectory();
        using (var model = TinyModels.Create(seed: 4, tied: true)) ModelDirectory.Save(model, dir.Path);
        EditConfig(dir, json => json["tie_word_embeddings"] = false);

        var e = Assert.Throws<ModelConfigException>(() => ModelDirectory.Load(dir.Path));

        Assert.Contains("\"tie_word_embeddings\" = false", e.Message, StringComparison.Ordinal);
        Assert.Contains("lm_head.weight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_tied_config_whose_stored_lm_head_differs_from_the_embedding()
    {
        using var dir = new TempDirectory();
        using (var model = TinyModels.Create(seed: 5, tied: false)) ModelDirectory.Save(model, dir.Path);
        EditConfig(dir, json => json["tie_word_embeddings"] = true);

        var e = Assert.Throws<ModelConfigException>(() => ModelDirectory.Load(dir.Path));

        Assert.Contains("\"tie_word_embeddings\" = true", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_accept_a_tied_checkpoint_that_also_stores_the_embedding_as_lm_head()
    {
        using var dir = new TempDirectory();
        using (var model = TinyModels.Create(seed: 6, tied: true))
        {
            ModelDirectory.Save(model, dir.Path);
            using var scope = NewDisposeScope();
            var tensors = model.HuggingFaceDictionary();
            tensors["lm_head.weight"] = tensors["model.embed_tokens.weight"].clone();
            SafetensorsWriter.Write(dir.File(ModelDirectory.WeightsFile), tensors);
        }

        using var loaded = ModelDirectory.Load(dir.Path);

        Assert.True(loaded.Config.TieWordEmbeddings);
    }
}
