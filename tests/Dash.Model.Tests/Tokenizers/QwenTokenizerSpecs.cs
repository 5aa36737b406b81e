// Specifies the Qwen2.5 tokenizer against Hugging Face's recorded ids, plus round trips and special tokens.
using System.Text.Json.Nodes;
using Dash.Model.Tokenizers;
using Dash.Testing;

namespace Dash.Model.Tests.Tokenizers;

public sealed class QwenTokenizerFixture
{
    public ByteLevelBpeTokenizer Tokenizer { get; } = ByteLevelBpeTokenizer.Load(SharedData.File("tokenizer/qwen2.5"));
}

public sealed class QwenTokenizerSpecs(QwenTokenizerFixture fixture) : IClassFixture<QwenTokenizerFixture>
{
    private ByteLevelBpeTokenizer Tokenizer => fixture.Tokenizer;

    public static TheoryData<int> VectorIndices() => [.. Enumerable.Range(0, Vectors().Count)];

    private static List<(string Text, int[] Ids)> Vectors() =>
    [
        .. File.ReadLines(SharedData.File("tokenizer/qwen2.5/text_to_ids.jsonl"))
            .Where(line => line.Length > 0)
            .Select(line => JsonNode.Parse(line)!)
            .Select(n => ((string)n["text"]!, n["ids"]!.AsArray().Select(i => (int)i!).ToArray())),
    ];

    [Fact]
    public void Should_have_all_46_reference_vectors()
    {
        Assert.Equal(46, Vectors().Count);
    }

    [Theory]
    [MemberData(nameof(VectorIndices))]
    public void Should_encode_like_hugging_face(int index)
    {
        var (text, ids) = Vectors()[index];
        Assert.Equal(ids, Tokenizer.Encode(text));
    }

    [Theory]
    [MemberData(nameof(VectorIndices))]
    public void Should_decode_the_reference_ids_back_to_the_text(int index)
    {
        var (text, ids) = Vectors()[index];
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("Hello, wörld! ½ ≠ ∑ 😶‍🌫️ 日本語のテキスト\r\n\ttabs   spaces")]
    [InlineData("Ελληνικά, עברית, العربية, हिन्दी, ไทย, 한국어")]
    [InlineData("\\boxed{\\frac{1}{2}} and $x^2 + y^2 = z^2$")]
    [InlineData("🦙🚀✅ combining: e\u0301 is NFC-normalised")]
    public void Should_round_trip_unicode_text(string text)
    {
        var expected = text.Normalize(System.Text.NormalizationForm.FormC);
        Assert.Equal(expected, Tokenizer.Decode(Tokenizer.Encode(text)));
    }

    [Theory]
    [InlineData("<|endoftext|>", 151643)]
    [InlineData("<|im_start|>", 151644)]
    [InlineData("<|im_end|>", 151645)]
    public void Should_map_special_tokens_to_their_ids(string token, int id)
    {
        Assert.Equal([id], Tokenizer.Encode(token));
        Assert.Equal(id, Tokenizer.SpecialTokens[token]);
    }

    [Fact]
    public void Should_encode_the_chat_format_with_special_tokens_and_expose_pad_and_eos()
    {
        var text = ByteLevelBpeTokenizer.FormatChat([("user", "What is 2+2?")]);
        Assert.Equal("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", text);

        var ids = Tokenizer.Encode(text);

        Assert.Equal(151644, ids[0]);
        Assert.Equal(2, ids.Count(i => i == 151644));
        Assert.Contains(151645, ids);
        Assert.Equal(151643, Tokenizer.PadId);
        Assert.Equal([151645, 151643], Tokenizer.EosIds);
        Assert.Null(Tokenizer.BosId);
        Assert.Equal(151665, Tokenizer.VocabSize);
        Assert.Equal("user\nWhat is 2+2?\nassistant\n", Tokenizer.Decode(ids));
    }
}
