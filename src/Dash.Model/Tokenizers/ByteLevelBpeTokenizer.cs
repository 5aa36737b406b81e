// Byte-level BPE (Qwen2, Llama 3, GPT-2, SmolLM) built from a Hugging Face tokenizer.json with Microsoft.ML.Tokenizers.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Dash.Model.Tokenizers;

/// <summary>
/// Byte-level BPE: text (NFC-normalised when tokenizer.json asks) is split by the pre-tokenizers — Split regexes
/// (Qwen2, Llama 3), ByteLevel's GPT-2 regex when use_regex is on (GPT-2), Digits (SmolLM) — and each piece is
/// encoded over the 256-symbol byte alphabet. Added tokens such as <c>&lt;|im_start|&gt;</c> encode to their single id.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITextTokenizer
{
    /// <summary>The regex of GPT-2's ByteLevel pre-tokenizer (Hugging Face tokenizers, use_regex = true).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly BpeTokenizer _bpe;

    private ByteLevelBpeTokenizer(BpeTokenizer bpe, TokenizerFiles files)
    {
        _bpe = bpe;
        SpecialTokens = files.AddedTokens;
        VocabSize = files.VocabSize;
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

    /// <summary>The added/special tokens and their ids (e.g. <c>&lt;|im_end|&gt;</c> → 151645).</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Loads tokenizer.json (and tokenizer_config.json when present) from <paramref name="directory"/>.</summary>
    public static ByteLevelBpeTokenizer Load(string directory) => Create(TokenizerFiles.Load(directory));

    internal static ByteLevelBpeTokenizer Create(TokenizerFiles files)
    {
        var special = files.AddedTokens;
        var splitters = new List<PreTokenizer>();
        var prefixSpace = false;
        foreach (var stage in files.Stages("pre_tokenizer", "pretokenizers"))
        {
            switch ((string?)stage["type"])
            {
                case "Split" when ((string?)stage["pattern"]?["Regex"]) is { } regex && ((string?)stage["behavior"]) is null or "Isolated"
                                  && (bool?)stage["invert"] != true:
                    splitters.Add(new RegexPreTokenizer(new Regex(regex, RegexOptions.Compiled), special));
                    break;
                case "ByteLevel":
                    prefixSpace |= (bool?)stage["add_prefix_space"] == true;
                    if ((bool?)stage["use_regex"] ?? true) splitters.Add(new RegexPreTokenizer(new Regex(Gpt2Pattern, RegexOptions.Compiled), special));
                    break;
                case "Digits":
                    splitters.Add(new RegexPreTokenizer(new Regex((bool?)stage["individual_digits"] == true ? @"\p{N}|\P{N}+" : @"\p{N}+|\P{N}+", RegexOptions.Compiled), special));
                    break;
                default:
                    throw files.Unsupported("pre_tokenizer", stage);
            }
        }
        if (splitters.Count == 0) throw TokenizerFiles.Bad(files.Path, "byte-level BPE needs a Split or ByteLevel pre-tokenizer.");

        var bpe = BpeTokenizer.Create(new BpeOptions(files.Vocab)
        {
            Merges = [.. files.Merges.Select(m => $"{m.Left} {m.Right}")],
            ByteLevel = true,
            SpecialTokens = special,
            Normalizer = Normalizer(files, prefixSpace),
            PreTokenizer = splitters.Count == 1 ? splitters[0] : new CompositePreTokenizer(splitters, special),
        });
        return new ByteLevelBpeTokenizer(bpe, files);
    }

    private static Normalizer? Normalizer(TokenizerFiles files, bool prefixSpace)
    {
        var nfc = false;
        foreach (var stage in files.Stages("normalizer", "normalizers"))
        {
            if ((string?)stage["type"] == "NFC") nfc = true;
            else throw files.Unsupported("normalizer", stage);
        }
        return nfc || prefixSpace ? new ByteLevelNormalizer(nfc, prefixSpace) : null;
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
}
