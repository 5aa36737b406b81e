// The normalisation steps byte-level tokenizer.json files ask for: Unicode NFC and ByteLevel's add_prefix_space.
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Dash.Model.Tokenizers;

/// <summary>NFC (Qwen's normalizer) and/or a leading space when the text has none (ByteLevel add_prefix_space).</summary>
internal sealed class ByteLevelNormalizer(bool nfc, bool prefixSpace) : Normalizer
{
    public override string Normalize(string original)
    {
        var text = nfc ? original.Normalize(NormalizationForm.FormC) : original;
        return prefixSpace && text.Length > 0 && text[0] != ' ' ? " " + text : text;
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
