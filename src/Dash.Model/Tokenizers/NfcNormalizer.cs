// Unicode NFC normalisation for the Qwen tokenizer (Microsoft.ML.Tokenizers has no built-in NFC normalizer).
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Dash.Model.Tokenizers;

/// <summary>Normalises text to Unicode form C, as Qwen's tokenizer.json asks.</summary>
internal sealed class NfcNormalizer : Normalizer
{
    public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => original.ToString().Normalize(NormalizationForm.FormC);
}
