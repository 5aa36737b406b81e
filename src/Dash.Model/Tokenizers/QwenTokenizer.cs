// The Qwen2 / Qwen2.5 byte-level BPE tokenizer, built from a Hugging Face tokenizer.json with Microsoft.ML.Tokenizers.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Dash.Model.Tokenizers;

/// <summary>
/// Byte-level BPE over Qwen's split regex with NFC normalisation and the added (special) tokens of tokenizer.json;
/// special-token markup such as <c>&lt;|im_start|&gt;</c> in the text encodes to its single id.
/// </summary>
public sealed class QwenTokenizer : ITextTokenizer
{
    public const string FileName = "tokenizer.json";
    public const string ConfigFileName = "tokenizer_config.json";
    private readonly BpeTokenizer _bpe;
    private readonly IReadOnlyDictionary<string, int> _special;

    private QwenTokenizer(BpeTokenizer bpe, IReadOnlyDictionary<string, int> special, int vocabSize, int padId,
        IReadOnlyList<int> eosIds, int? bosId)
    {
        _bpe = bpe;
        _special = special;
        VocabSize = vocabSize;
        PadId = padId;
        EosIds = eosIds;
        BosId = bosId;
    }

    public int VocabSize { get; }
    public int PadId { get; }
    public IReadOnlyList<int> EosIds { get; }
    public int? BosId { get; }

    /// <summary>The added/special tokens and their ids (e.g. <c>&lt;|im_end|&gt;</c> → 151645).</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _special;

    /// <summary>Loads tokenizer.json (and tokenizer_config.json when present, for pad/eos/bos) from <paramref name="directory"/>.</summary>
    public static QwenTokenizer Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException("expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON ({e.Message}).", e);
        }
        var model = root["model"] as JsonObject ?? throw new FormatException($"{path}: \"model\" is missing.");
        if ((string?)model["type"] != "BPE") throw new FormatException($"{path}: model.type must be \"BPE\".");
        var vocab = (model["vocab"] as JsonObject ?? throw new FormatException($"{path}: model.vocab is missing."))
            .Select(kv => KeyValuePair.Create(kv.Key, (int)kv.Value!)).ToList();
        var merges = (model["merges"] as JsonArray ?? throw new FormatException($"{path}: model.merges is missing."))
            .Select(m => m is JsonArray pair ? $"{(string)pair[0]!} {(string)pair[1]!}" : (string)m!).ToList();
        var special = (root["added_tokens"] as JsonArray ?? [])
            .ToDictionary(t => (string)t!["content"]!, t => (int)t!["id"]!, StringComparer.Ordinal);

        var bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = special,
            Normalizer = new NfcNormalizer(),
            PreTokenizer = new RegexPreTokenizer(new Regex(SplitPattern(root, path), RegexOptions.Compiled), special),
        });

        var config = ReadConfig(Path.Combine(directory, ConfigFileName));
        int? Id(string? token) => token is not null && special.TryGetValue(token, out var id) ? id
            : token is not null && vocab.FirstOrDefault(kv => kv.Key == token) is { Key: not null } hit ? hit.Value : null;
        var endOfText = Id("<|endoftext|>");
        var eos = new List<int>();
        if (Id(config.Eos) is { } configured) eos.Add(configured);
        if (endOfText is { } eot && !eos.Contains(eot)) eos.Add(eot);
        var padId = Id(config.Pad) ?? endOfText ?? throw new FormatException($"{path}: no pad token (pad_token or <|endoftext|>).");
        var vocabSize = Math.Max(vocab.Max(kv => kv.Value), special.Count == 0 ? 0 : special.Values.Max()) + 1;
        return new QwenTokenizer(bpe, special, vocabSize, padId, eos, Id(config.Bos));
    }

    public int[] Encode(string text) => [.. _bpe.EncodeToIds(text)];

    public string Decode(ReadOnlySpan<int> ids) => _bpe.Decode(ids.ToArray(), considerSpecialTokens: false) ?? "";

    /// <summary>
    /// The Qwen chat markup: each message as <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, then
    /// <c>&lt;|im_start|&gt;assistant\n</c> when <paramref name="addGenerationPrompt"/>. Unlike the Qwen2.5-Instruct
    /// template, no default system message is inserted: pass one to get it.
    /// </summary>
    public static string FormatChat(IEnumerable<(string Role, string Content)> messages, bool addGenerationPrompt = true)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (role, content) in messages) text.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
        if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
        return text.ToString();
    }

    private static string SplitPattern(JsonObject root, string path)
    {
        var pre = root["pre_tokenizer"];
        var candidates = pre?["pretokenizers"] is JsonArray list ? list.ToList() : [pre];
        foreach (var p in candidates)
        {
            if ((string?)p?["type"] == "Split" && (string?)p["pattern"]?["Regex"] is { } regex) return regex;
        }
        throw new FormatException($"{path}: no Split pre-tokenizer regex found.");
    }

    private static (string? Eos, string? Pad, string? Bos) ReadConfig(string path)
    {
        if (!File.Exists(path)) return (null, null, null);
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        static string? Token(JsonNode? node) => node switch
        {
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonObject o => (string?)o["content"],
            _ => null,
        };
        return (Token(json?["eos_token"]), Token(json?["pad_token"]), Token(json?["bos_token"]));
    }
}
