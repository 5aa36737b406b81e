// Specifies the built-in character vocabulary and its JSON file.
using Dash.Model.Tokenizers;

namespace Dash.Model.Tests.Tokenizers;

public sealed class CharTokenizerSpecs
{
    [Fact]
    public void Should_put_special_tokens_first_then_printable_ascii()
    {
        var t = CharTokenizer.Default;
        Assert.Equal(99, t.VocabSize);
        Assert.Equal((0, 1, 2, 3), (t.PadId, t.BosId, t.EosId, t.UnknownId));
        Assert.Equal([4, 5, 98], t.Encode(" !~"));
    }

    [Fact]
    public void Should_round_trip_printable_ascii()
    {
        var text = new string([.. Enumerable.Range(32, 95).Select(c => (char)c)]) + "What is 12+30? 42.";
        Assert.Equal(text, CharTokenizer.Default.Decode(CharTokenizer.Default.Encode(text)));
    }

    [Fact]
    public void Should_map_unknown_characters_to_unk_and_skip_pad_bos_eos_when_decoding()
    {
        var t = CharTokenizer.Default;
        Assert.Equal([t.UnknownId, 4 + ('a' - 32)], t.Encode("éa"));
        Assert.Equal("\uFFFDa", t.Decode([t.BosId, t.UnknownId, 4 + ('a' - 32), t.EosId, t.PadId]));
    }

    [Fact]
    public void Should_save_and_load_as_a_model_directory_tokenizer()
    {
        var dir = Directory.CreateTempSubdirectory("dash-char-").FullName;
        try
        {
            CharTokenizer.Default.Save(Path.Combine(dir, CharTokenizer.FileName));
            var loaded = TextTokenizers.Load(dir);
            Assert.IsType<CharTokenizer>(loaded);
            Assert.Equal(CharTokenizer.Default.Encode("Hello, 123!"), loaded.Encode("Hello, 123!"));
            Assert.Equal(99, loaded.VocabSize);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_explain_a_directory_without_tokenizer()
    {
        var dir = Directory.CreateTempSubdirectory("dash-none-").FullName;
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => TextTokenizers.Load(dir));
            Assert.Contains("dash_tokenizer.json", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
