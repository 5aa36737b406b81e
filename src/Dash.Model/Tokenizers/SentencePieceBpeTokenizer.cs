// SentencePiece-style BPE from a Hugging Face tokenizer.json (Llama 2, TinyLlama, Mistral): ▁ for spaces, byte fallback.
using System.Text;
using System.Text.Json.Nodes;

namespace Dash.Model.Tokenizers;

/// <summary>
/// Spaces become ▁ and a ▁ is prepended (the normalizer's Replace + Prepend, or the Metaspace pre-tokenizer); each
/// character starts as its own symbol — a character missing from the vocabulary falls back to its UTF-8 bytes as
/// <c>&lt;0xNN&gt;</c> tokens — and adjacent symbols merge by merge rank (lowest first, leftmost on ties). Added
/// tokens in the text encode to their id. Decoding turns ▁ back into spaces, byte tokens back into UTF-8 text and
/// drops the one leading space the prepended ▁ produced.
/// </summary>
public sealed class SentencePieceBpeTokenizer : ITextTokenizer
{
    private readonly Dictionary<string, int> _vocab;
    private readonly string[] _pieces;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly AddedTokenSplitter _added;
    private readonly IReadOnlySet<int> _special;
    private readonly List<Func<string, string>> _normalizers = [];
    private readonly int? _unkId;
    private readonly bool _byteFallback;
    private readonly bool _fuseUnk;
    private readonly char _metaspace = '▁';
    private readonly string? _prependScheme;   // Metaspace pre-tokenizer: "always", "first" or "never"; null = none
    private readonly bool _splitWords;
    private readonly int _stripLeadingSpaces;

    private SentencePieceBpeTokenizer(TokenizerFiles files)
    {
        _vocab = files.Vocab.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        VocabSize = files.VocabSize;
        _pieces = new string[VocabSize];
        foreach (var (piece, id) in files.Vocab) _pieces[id] = piece;
        foreach (var (piece, id) in files.AddedTokens) _pieces[id] = piece;
        _ranks = [];
        for (var i = 0; i < files.Merges.Count; i++) _ranks.TryAdd(files.Merges[i], i);
        _added = new AddedTokenSplitter(files.AddedTokens);
        _special = files.SpecialIds;
        var model = files.Model;
        _unkId = files.Id((string?)model["unk_token"]);
        _byteFallback = (bool?)model["byte_fallback"] ?? false;
        _fuseUnk = (bool?)model["fuse_unk"] ?? false;

        foreach (var stage in files.Stages("normalizer", "normalizers"))
        {
            switch ((string?)stage["type"])
            {
                case "Prepend" when ((string?)stage["prepend"]) is { } prefix:
                    _normalizers.Add(s => s.Length == 0 ? s : prefix + s);
                    _stripLeadingSpaces = 1;
                    break;
                case "Replace" when ((string?)stage["pattern"]?["String"]) is { } from && ((string?)stage["content"]) is { } to:
                    _normalizers.Add(s => s.Replace(from, to, StringComparison.Ordinal));
                    break;
                case "NFC":
                    _normalizers.Add(s => s.Normalize(NormalizationForm.FormC));
                    break;
                case "NFKC":
                    _normalizers.Add(s => s.Normalize(NormalizationForm.FormKC));
                    break;
                default:
                    throw files.Unsupported("normalizer", stage);
            }
        }
        foreach (var stage in files.Stages("pre_tokenizer", "pretokenizers"))
        {
            if ((string?)stage["type"] != "Metaspace") throw files.Unsupported("pre_tokenizer", stage);
            _metaspace = ((string?)stage["replacement"] ?? "▁")[0];
            _prependScheme = (string?)stage["prepend_scheme"] ?? ((bool?)stage["add_prefix_space"] == false ? "never" : "always");
            _splitWords = (bool?)stage["split"] ?? true;
            if (_prependScheme != "never") _stripLeadingSpaces = 1;
        }
        // The decoder, when there is one, says how many leading spaces decoding drops (Strip, or Metaspace's prefix).
        var decoders = files.Stages("decoder", "decoders");
        if (decoders.Count > 0) _stripLeadingSpaces = 0;
        foreach (var stage in decoders)
        {
            if ((string?)stage["type"] == "Strip") _stripLeadingSpaces = (int?)stage["start"] ?? 0;
            if ((string?)stage["type"] == "Metaspace" && ((string?)stage["prepend_scheme"] ?? "always") != "never" && (bool?)stage["add_prefix_space"] != false)
                _stripLeadingSpaces = 1;
        }

        PadId = files.PadId();
        EosIds = files.EosIds();
        BosId = files.BosId();
        ChatTemplate = files.Config.ChatTemplate;
    }

    public int VocabSize { get; }
    public int PadId { get; }
    public IReadOnlyList<int> EosIds { get; }
    public int? BosId { get; }
    public string? ChatTemplate { get; }

    /// <summary>Loads tokenizer.json (and tokenizer_config.json when present) from <paramref name="directory"/>.</summary>
    public static SentencePieceBpeTokenizer Load(string directory) => new(TokenizerFiles.Load(directory));

    internal static SentencePieceBpeTokenizer Create(TokenizerFiles files) => new(files);

    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var (segment, offset, addedId) in _added.Split(text))
        {
            if (addedId is { } id)
            {
                ids.Add(id);
                continue;
            }
            var normalized = segment;
            foreach (var normalize in _normalizers) normalized = normalize(normalized);
            if (_prependScheme is not null)
            {
                normalized = normalized.Replace(' ', _metaspace);
                var prepend = _prependScheme == "always" || (_prependScheme == "first" && offset == 0);
                if (prepend && normalized.Length > 0 && normalized[0] != _metaspace) normalized = _metaspace + normalized;
            }
            foreach (var word in _splitWords && _prependScheme is not null ? Words(normalized) : [normalized]) EncodeWord(word, ids);
        }
        return [.. ids];
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id < 0 || id >= _pieces.Length || _special.Contains(id) || _pieces[id] is not { } piece) continue;
            if (_byteFallback && IsByteToken(piece)) bytes.Add(Convert.ToByte(piece[3..5], 16));
            else bytes.AddRange(Encoding.UTF8.GetBytes(piece.Replace(_metaspace, ' ')));
        }
        var text = Encoding.UTF8.GetString([.. bytes]);
        var strip = 0;
        while (strip < _stripLeadingSpaces && strip < text.Length && text[strip] == ' ') strip++;
        return text[strip..];
    }

    /// <summary>Splits before every ▁ so each word but the first starts with one (Metaspace split = true).</summary>
    private IEnumerable<string> Words(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != _metaspace) continue;
            yield return text[start..i];
            start = i;
        }
    }

    private void EncodeWord(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        var symbols = new List<string>();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in word.EnumerateRunes())
        {
            var s = rune.ToString();
            if (_vocab.ContainsKey(s) || !_byteFallback) symbols.Add(s);
            else
            {
                var n = rune.EncodeToUtf8(utf8);
                for (var b = 0; b < n; b++) symbols.Add($"<0x{utf8[b]:X2}>");
            }
        }
        while (symbols.Count > 1)
        {
            var (best, bestRank) = (-1, int.MaxValue);
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank) (best, bestRank) = (i, rank);
            }
            if (best < 0) break;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }
        var previousUnknown = false;
        foreach (var symbol in symbols)
        {
            if (_vocab.TryGetValue(symbol, out var id))
            {
                ids.Add(id);
                previousUnknown = false;
                continue;
            }
            if (_unkId is not { } unk) throw new FormatException($"\"{symbol}\" is not in the vocabulary and the tokenizer has no unk_token or byte fallback.");
            if (!(_fuseUnk && previousUnknown)) ids.Add(unk);
            previousUnknown = true;
        }
    }

    private static bool IsByteToken(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>' && Uri.IsHexDigit(piece[3]) && Uri.IsHexDigit(piece[4]);

    /// <summary>Whether a tokenizer.json is the SentencePiece kind: a Metaspace pre-tokenizer, or a normalizer that
    /// replaces spaces with ▁ (Hugging Face's legacy Llama conversion).</summary>
    internal static bool Recognises(TokenizerFiles files) =>
        files.Stages("pre_tokenizer", "pretokenizers").Any(s => (string?)s["type"] == "Metaspace")
        || files.Stages("normalizer", "normalizers").Any(s => (string?)s["type"] == "Replace" && (string?)s["content"] == "▁");
}

/// <summary>Cuts text into plain segments and added tokens (longest match first), as Hugging Face's added vocabulary does.</summary>
internal sealed class AddedTokenSplitter(IReadOnlyDictionary<string, int> tokens)
{
    private readonly (string Text, int Id)[] _byLength = [.. tokens.Where(t => t.Key.Length > 0).OrderByDescending(t => t.Key.Length).Select(t => (t.Key, t.Value))];

    /// <summary>(text, offset in the input, null) for plain text; (token, offset, id) for an added token.</summary>
    public IEnumerable<(string Text, int Offset, int? Id)> Split(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            foreach (var (token, id) in _byLength)
            {
                if (string.CompareOrdinal(text, i, token, 0, token.Length) != 0) continue;
                if (i > start) yield return (text[start..i], start, null);
                yield return (token, i, id);
                start = i + token.Length;
                i = start - 1;
                break;
            }
        }
        if (start < text.Length) yield return (text[start..], start, null);
    }
}
