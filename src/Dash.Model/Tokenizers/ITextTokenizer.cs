// The small tokenizer interface the rest of Dash uses (text ↔ token ids, special ids).
namespace Dash.Model.Tokenizers;

/// <summary>Text ↔ token ids for one model's vocabulary.</summary>
public interface ITextTokenizer
{
    /// <summary>Token ids of <paramref name="text"/> (no BOS/EOS added; special-token markup in the text is recognised
    /// where the tokenizer has such markup).</summary>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>; special tokens are left out.</summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>One more than the largest token id.</summary>
    int VocabSize { get; }

    /// <summary>The id used to pad batches.</summary>
    int PadId { get; }

    /// <summary>Ids that end a generation.</summary>
    IReadOnlyList<int> EosIds { get; }

    /// <summary>The id the tokenizer starts every sequence with (add_bos_token, or a post-processor that adds it);
    /// null when it adds none.</summary>
    int? BosId { get; }

    /// <summary>The Jinja chat template of tokenizer_config.json (or chat_template.jinja), when the model has one.</summary>
    string? ChatTemplate => null;
}
