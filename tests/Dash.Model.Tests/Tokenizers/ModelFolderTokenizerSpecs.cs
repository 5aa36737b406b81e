// Specifies what a model folder's side files add to its tokenizer: the stop ids of generation_config.json and config.json,
// the chat template in chat_template.jinja, and the refusal of a tokenizer with ids the model has no embedding for.
using System.Text.Json.Nodes;
using Dash.Model.Checkpoints;
using Dash.Model.Config;
using Dash.Model.Tests.Checkpoints;
using Dash.Model.Tokenizers;
using Dash.Testing;

namespace Dash.Model.Tests.Tokenizers;

public sealed class ModelFolderTokenizerSpecs
{
    // stories260K converted to tokenizer.json: <unk> 0, <s> 1, </s> 2, then 509 pieces; its config.json says eos_token_id 2.
    private static TempDirectory Folder()
    {
        var dir = new TempDirectory();
        Stories260KTokenizer.WriteModelFolder(dir.Path);
        return dir;
    }

    private static void WriteConfig(TempDirectory dir, Action<JsonObject> change)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Stories260KTokenizer.ModelDirectory, "config.json")))!.AsObject();
        change(config);
        File.Delete(dir.File("config.json")); // a link to the shared file: never write through it
        File.WriteAllText(dir.File("config.json"), config.ToJsonString());
    }

    [Fact]
    public void Should_stop_on_the_eos_ids_of_generation_config_and_config_after_the_tokenizers_own()
    {
        using var dir = Folder();
        // Llama 3 Instruct's shape: tokenizer_config.json names one eos, generation_config.json a list with the turn end.
        File.WriteAllText(dir.File("generation_config.json"), """{"bos_token_id": 1, "eos_token_id": [7, 2]}""");
        WriteConfig(dir, c => c["eos_token_id"] = new JsonArray(2, 9));

        var tokenizer = TextTokenizers.Load(dir.Path);

        // The tokenizer's eos first (a reference solution ends with it), then generation_config.json's, then config.json's.
        Assert.Equal([2, 7, 9], tokenizer.EosIds);
    }

    [Fact]
    public void Should_stop_on_the_config_eos_id_when_there_is_no_tokenizer_config()
    {
        using var dir = Folder();
        File.Delete(dir.File("tokenizer_config.json"));
        WriteConfig(dir, c => c["eos_token_id"] = 5);

        Assert.Equal([5], TextTokenizers.Load(dir.Path).EosIds);
    }

    [Fact]
    public void Should_refuse_an_eos_token_id_that_is_not_an_id_naming_the_file()
    {
        using var dir = Folder();
        File.WriteAllText(dir.File("generation_config.json"), """{"eos_token_id": "</s>"}""");

        var e = Assert.Throws<FormatException>(() => TextTokenizers.Load(dir.Path));

        Assert.Contains("generation_config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("eos_token_id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_the_chat_template_from_chat_template_jinja_with_or_without_a_tokenizer_config()
    {
        using var dir = Folder();
        var config = JsonNode.Parse(File.ReadAllText(dir.File("tokenizer_config.json")))!.AsObject();
        config.Remove("chat_template");
        File.WriteAllText(dir.File("tokenizer_config.json"), config.ToJsonString());
        File.WriteAllText(dir.File("chat_template.jinja"), Stories260KTokenizer.LlamaChatTemplate);

        Assert.Equal(Stories260KTokenizer.LlamaChatTemplate, TokenizerConfigFile.Load(dir.File("tokenizer_config.json")).ChatTemplate);
        File.Delete(dir.File("tokenizer_config.json"));
        Assert.Equal(Stories260KTokenizer.LlamaChatTemplate, TokenizerConfigFile.Load(dir.File("tokenizer_config.json")).ChatTemplate);
    }

    [Fact]
    public void Should_refuse_a_tokenizer_with_ids_beyond_the_models_vocab_size_in_one_line()
    {
        using var dir = Folder();
        WriteConfig(dir, c => c["vocab_size"] = 500); // the tokenizer has ids 0..511

        var e = Assert.Throws<ModelConfigException>(() => ModelDirectory.LoadTokenizer(dir.Path));

        Assert.Contains("\"vocab_size\" = 500", e.Message, StringComparison.Ordinal);
        Assert.Contains("ids up to 511", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Should_load_a_tokenizer_that_fits_the_model_including_a_padded_vocab_size()
    {
        using var dir = Folder();
        Assert.Equal(512, ModelDirectory.LoadTokenizer(dir.Path).VocabSize);
        WriteConfig(dir, c => c["vocab_size"] = 640); // Qwen2.5 pads its embedding beyond the tokenizer the same way
        Assert.Equal(512, ModelDirectory.LoadTokenizer(dir.Path).VocabSize);
    }
}
