// Specifies GPT-2-style ByteLevel BPE (GPT-2, SmolLM) on a small hand-built tokenizer.json, and the refusal of other kinds.
using System.Text.Json.Nodes;
using Dash.Model.Tests.Checkpoints;
using Dash.Model.Tokenizers;

namespace Dash.Model.Tests.Tokenizers;

public sealed class ByteLevelBpeTokenizerSpecs
{
    // GPT-2's byte → symbol map: printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves, the other 68
    // bytes map in order to U+0100, U+0101, … (so ' ' = 0x20 is 'Ġ' U+0120 and '\n' = 0x0A is 'Ċ' U+010A).
    private static char Symbol(int b)
    {
        static bool Printable(int x) => x is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
        if (Printable(b)) return (char)b;
        return (char)(256 + Enumerable.Range(0, b).Count(x => !Printable(x)));
    }

    // Vocabulary: byte b has id b; then the merges, in rank order, make ids 256..260; <|endoftext|> is 261.
    private static readonly (string Left, string Right)[] Merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("1", "2"), ("e", "r")];

    private static JsonObject TokenizerJson(JsonNode preTokenizer)
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++) vocab[Symbol(b).ToString()] = b;
        for (var i = 0; i < Merges.Length; i++) vocab[Merges[i].Left + Merges[i].Right] = 256 + i;
        return new JsonObject
        {
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = 261, ["content"] = "<|endoftext|>", ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray([.. Merges.Select(m => (JsonNode)$"{m.Left} {m.Right}")]),
            },
        };
    }

    private static JsonNode ByteLevel(bool prefixSpace = false) =>
        new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = prefixSpace, ["trim_offsets"] = true, ["use_regex"] = true };

    private static ITextTokenizer Load(JsonObject tokenizerJson)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("tokenizer.json"), tokenizerJson.ToJsonString());
        File.WriteAllText(dir.File("tokenizer_config.json"), """{"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "chat_template": "{{ messages }}"}""");
        return TextTokenizers.Load(dir.Path);
    }

    [Theory]
    // "the" | " other": t + he (h e, rank 2); Ġ o t he r — he merges before e r (rank 5) can, so e r never forms.
    [InlineData("the other", new[] { 116, 257, 32, 111, 116, 257, 114 })]
    // Ġ t h e → Ġt (rank 1) → Ġt he (rank 2) → Ġthe (rank 3).
    [InlineData(" the", new[] { 258 })]
    // GPT-2's regex keeps digits together: "12" → 12 (rank 4); " 3" → Ġ 3.
    [InlineData("12 3", new[] { 259, 32, 51 })]
    // é is UTF-8 C3 A9, the bytes' own symbols 'Ã' '©'; newline is its own piece.
    [InlineData("é\nb", new[] { 195, 169, 10, 98 })]
    [InlineData("<|endoftext|>the", new[] { 261, 116, 257 })]
    public void Should_encode_gpt2_style_text_as_worked_out_by_hand(string text, int[] expected)
    {
        var tokenizer = Load(TokenizerJson(ByteLevel()));

        Assert.IsType<ByteLevelBpeTokenizer>(tokenizer);
        Assert.Equal(expected, tokenizer.Encode(text));
        Assert.Equal(text.Replace("<|endoftext|>", "", StringComparison.Ordinal), tokenizer.Decode(expected));
    }

    [Fact]
    public void Should_split_digits_one_by_one_before_the_byte_level_regex_as_smollm_does()
    {
        var sequence = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(new JsonObject { ["type"] = "Digits", ["individual_digits"] = true }, ByteLevel()),
        };
        var tokenizer = Load(TokenizerJson(sequence));

        Assert.Equal([49, 50, 32, 51], tokenizer.Encode("12 3"));
        Assert.Equal([258], tokenizer.Encode(" the"));
    }

    [Fact]
    public void Should_add_the_prefix_space_when_byte_level_asks_for_it()
    {
        var tokenizer = Load(TokenizerJson(ByteLevel(prefixSpace: true)));

        Assert.Equal([258], tokenizer.Encode("the"));
    }

    [Fact]
    public void Should_take_eos_and_pad_from_tokenizer_config_and_add_no_bos()
    {
        var tokenizer = Load(TokenizerJson(ByteLevel()));

        Assert.Equal([261], tokenizer.EosIds);
        Assert.Equal(261, tokenizer.PadId);
        Assert.Null(tokenizer.BosId);
        Assert.Equal(262, tokenizer.VocabSize);
        Assert.Equal("{{ messages }}", tokenizer.ChatTemplate);
    }

    [Fact]
    public void Should_start_sequences_with_the_bos_a_template_post_processor_adds_as_llama3_does()
    {
        var tokenizerJson = TokenizerJson(ByteLevel());
        tokenizerJson["post_processor"] = JsonNode.Parse("""
            {"type": "Sequence", "processors": [{"type": "ByteLevel"}, {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]}]}
            """);

        Assert.Equal(261, Load(tokenizerJson).BosId);
    }

    [Theory]
    [InlineData("model", """{"type": "WordPiece", "vocab": {}}""", "WordPiece")]
    [InlineData("model", """{"type": "Unigram", "vocab": []}""", "Unigram")]
    [InlineData("pre_tokenizer", """{"type": "Whitespace"}""", "Whitespace")]
    [InlineData("pre_tokenizer", """{"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Punctuation"}]}""", "Punctuation")]
    [InlineData("normalizer", """{"type": "Lowercase"}""", "Lowercase")]
    public void Should_refuse_other_tokenizer_kinds_naming_the_type(string key, string json, string type)
    {
        var tokenizerJson = TokenizerJson(ByteLevel());
        tokenizerJson[key] = JsonNode.Parse(json);

        var e = Assert.Throws<FormatException>(() => Load(tokenizerJson));

        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{type}\"", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
