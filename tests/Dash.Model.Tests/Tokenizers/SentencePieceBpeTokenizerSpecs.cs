// Specifies the SentencePiece-style BPE family (Llama 2 / TinyLlama / Mistral) on stories260K converted to tokenizer.json.
using Dash.Model.Tests.Checkpoints;
using Dash.Model.Tests.Transformer;
using Dash.Model.Tokenizers;
using Dash.Testing;

namespace Dash.Model.Tests.Tokenizers;

public sealed class SentencePieceBpeTokenizerSpecs
{
    private static ITextTokenizer Load(bool metaspace = false)
    {
        using var dir = new TempDirectory();
        Stories260KTokenizer.WriteModelFolder(dir.Path, metaspace);
        return TextTokenizers.Load(dir.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_encode_the_reference_prompt_as_llama2c_did(bool metaspace)
    {
        var run = Stories260K.Run("greedy_prompt_once_upon_a_time_64");
        var tokenizer = Load(metaspace);

        var ids = tokenizer.Encode("Once upon a time");

        Assert.IsType<SentencePieceBpeTokenizer>(tokenizer);
        int[] withBos = [tokenizer.BosId!.Value, .. ids];
        Assert.Equal(run.PromptIds, withBos);
        Assert.Equal([2], tokenizer.EosIds);
    }

    [Fact]
    public void Should_decode_llama2c_greedy_ids_to_its_text_including_byte_tokens()
    {
        var tokenizer = Load();
        foreach (var name in new[] { "greedy_bos_200", "temp1_topp0.95_seed42_200" })
        {
            var run = Stories260K.Run(name);
            var text = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Stories260K.Directory, "reference_outputs.json")))!
                ["runs"]!.AsArray().Single(r => (string)r!["name"]! == name)!["text"]!.GetValue<string>();

            Assert.Equal(text, tokenizer.Decode(run.Ids));
            Assert.Contains('\n', text);
        }
    }

    [Fact]
    public void Should_fall_back_to_utf8_byte_tokens_for_characters_outside_the_vocabulary()
    {
        var tokenizer = Load();
        var space = Array.FindIndex(Stories260KTokenizer.Pieces(), p => p.Piece == "▁");

        // "日" is U+65E5 = UTF-8 E6 97 A5, not a piece; byte token <0xNN> has id 3 + NN (ids 0-2 are <unk> <s> </s>).
        var ids = tokenizer.Encode("日");

        Assert.Equal([space, 3 + 0xE6, 3 + 0x97, 3 + 0xA5], ids);
        Assert.Equal("日", tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("Lily said, \"Let's play!\"\nThe end.")]
    [InlineData("Ünïcödé 🦙 and 日本")]
    [InlineData("tabs\tand  double  spaces ")]
    public void Should_round_trip_text_and_agree_between_the_two_file_forms(string text)
    {
        var legacy = Load();
        var metaspace = Load(metaspace: true);

        Assert.Equal(text, legacy.Decode(legacy.Encode(text)));
        Assert.Equal(legacy.Encode(text), metaspace.Encode(text));
    }

    [Fact]
    public void Should_encode_added_tokens_in_the_text_and_leave_them_out_of_decoding()
    {
        var tokenizer = Load();

        var ids = tokenizer.Encode("</s>Once");

        Assert.Equal([2, 403], ids);
        Assert.Equal("Once", tokenizer.Decode(ids));
        Assert.Equal(Stories260KTokenizer.LlamaChatTemplate, tokenizer.ChatTemplate);
    }
}
