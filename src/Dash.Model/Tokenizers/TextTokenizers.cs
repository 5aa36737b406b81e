// Finds the tokenizer a model directory carries: tokenizer.json (Qwen BPE) or dash_tokenizer.json (characters).
namespace Dash.Model.Tokenizers;

public static class TextTokenizers
{
    /// <summary>
    /// Loads the tokenizer of <paramref name="directory"/>: <c>tokenizer.json</c> → <see cref="QwenTokenizer"/>,
    /// <c>dash_tokenizer.json</c> → <see cref="CharTokenizer"/>.
    /// </summary>
    public static ITextTokenizer Load(string directory)
    {
        if (File.Exists(Path.Combine(directory, QwenTokenizer.FileName))) return QwenTokenizer.Load(directory);
        var chars = Path.Combine(directory, CharTokenizer.FileName);
        if (File.Exists(chars)) return CharTokenizer.Load(chars);
        throw new FileNotFoundException(
            $"{directory}: no tokenizer found; expected {QwenTokenizer.FileName} (Hugging Face BPE) or {CharTokenizer.FileName} (Dash characters).");
    }
}
