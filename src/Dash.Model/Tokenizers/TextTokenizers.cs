// Finds the tokenizer a model directory carries: a Hugging Face tokenizer.json (BPE families) or dash_tokenizer.json.
namespace Dash.Model.Tokenizers;

public static class TextTokenizers
{
    /// <summary>
    /// Loads the tokenizer of <paramref name="directory"/>: <c>tokenizer.json</c> → <see cref="SentencePieceBpeTokenizer"/>
    /// (Metaspace / ▁ normalizer: Llama 2, TinyLlama, Mistral) or <see cref="ByteLevelBpeTokenizer"/> (Split or
    /// ByteLevel pre-tokenizers: Qwen2, Llama 3, GPT-2, SmolLM); <c>dash_tokenizer.json</c> → <see cref="CharTokenizer"/>.
    /// Any other tokenizer.json kind is refused naming its type.
    /// </summary>
    public static ITextTokenizer Load(string directory)
    {
        if (File.Exists(Path.Combine(directory, TokenizerFiles.FileName))) return LoadHuggingFace(directory);
        var chars = Path.Combine(directory, CharTokenizer.FileName);
        if (File.Exists(chars)) return CharTokenizer.Load(chars);
        throw new FileNotFoundException(
            $"{directory}: no tokenizer found; expected {TokenizerFiles.FileName} (Hugging Face BPE) or {CharTokenizer.FileName} (Dash characters).");
    }

    private static ITextTokenizer LoadHuggingFace(string directory)
    {
        var files = TokenizerFiles.Load(directory);
        if (SentencePieceBpeTokenizer.Recognises(files)) return SentencePieceBpeTokenizer.Create(files);
        var pre = files.Stages("pre_tokenizer", "pretokenizers");
        if (pre.Any(s => (string?)s["type"] is "Split" or "ByteLevel")) return ByteLevelBpeTokenizer.Create(files);
        var kind = pre.Count == 0 ? "none" : string.Join(", ", pre.Select(s => $"\"{(string?)s["type"]}\""));
        throw TokenizerFiles.Bad(files.Path,
            $"\"pre_tokenizer\" type {kind} is not supported; Dash loads byte-level BPE (Split or ByteLevel pre-tokenizers) and " +
            "SentencePiece-style BPE (Metaspace pre-tokenizer or a normalizer replacing spaces with ▁).");
    }
}
