// Reads the parts of a Hugging Face tokenizer.json / tokenizer_config.json every BPE family shares.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dash.Model.Tokenizers;

/// <summary>The BPE model, added tokens and pipeline stages of a tokenizer.json, plus its tokenizer_config.json.</summary>
internal sealed record TokenizerFiles(
    string Path,
    JsonObject Root,
    IReadOnlyList<KeyValuePair<string, int>> Vocab,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyDictionary<string, int> AddedTokens,
    IReadOnlySet<int> SpecialIds,
    TokenizerConfigFile Config)
{
    public const string FileName = "tokenizer.json";
    public const string ConfigFileName = "tokenizer_config.json";

    public JsonObject Model => (JsonObject)Root["model"]!;

    public static TokenizerFiles Load(string directory)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        var root = ReadObject(path);
        var model = root["model"] as JsonObject ?? throw Bad(path, "\"model\" is missing.");
        var type = (string?)model["type"];
        if (type != "BPE")
            throw Bad(path, $"\"model.type\" = \"{type}\" is not supported; Dash loads BPE tokenizers (byte-level BPE with Split/ByteLevel " +
                            "pre-tokenizers as Qwen2, Llama 3 and GPT-2 use, or SentencePiece-style BPE with Metaspace and byte fallback as Llama 2 uses).");
        var vocab = (model["vocab"] as JsonObject ?? throw Bad(path, "\"model.vocab\" is missing."))
            .Select(kv => KeyValuePair.Create(kv.Key, (int)kv.Value!)).ToList();
        var merges = (model["merges"] as JsonArray ?? throw Bad(path, "\"model.merges\" is missing."))
            .Select(m => m is JsonArray pair ? ((string)pair[0]!, (string)pair[1]!) : SplitMerge((string)m!, path)).ToList();
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        var special = new HashSet<int>();
        foreach (var token in root["added_tokens"] as JsonArray ?? [])
        {
            var (content, id) = ((string)token!["content"]!, (int)token["id"]!);
            added[content] = id;
            if ((bool?)token["special"] ?? true) special.Add(id);
        }
        var config = TokenizerConfigFile.Load(System.IO.Path.Combine(directory, ConfigFileName));
        return new TokenizerFiles(path, root, vocab, merges, added, special, config);
    }

    /// <summary>The id of a token by its text: added tokens first, then the vocabulary.</summary>
    public int? Id(string? token)
    {
        if (token is null) return null;
        if (AddedTokens.TryGetValue(token, out var id)) return id;
        foreach (var (piece, pieceId) in Vocab) if (piece == token) return pieceId;
        return null;
    }

    public int VocabSize => Math.Max(Vocab.Count == 0 ? 0 : Vocab.Max(kv => kv.Value), AddedTokens.Count == 0 ? 0 : AddedTokens.Values.Max()) + 1;

    /// <summary>
    /// The ids that end a completion: eos_token of tokenizer_config.json first (the one a reference solution ends with),
    /// then eos_token_id of generation_config.json and of config.json (an id or a list, as Hugging Face's generate stops
    /// on them: Llama 3 Instruct ends a turn with &lt;|eot_id|&gt;, which only generation_config.json names), then
    /// &lt;|endoftext|&gt; when the vocabulary has it.
    /// </summary>
    public IReadOnlyList<int> EosIds()
    {
        var eos = new List<int>();
        void Add(int id)
        {
            if (!eos.Contains(id)) eos.Add(id);
        }
        if (Id(Config.Eos) is { } configured) Add(configured);
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        foreach (var file in new[] { TokenizerConfigFile.GenerationConfigFileName, "config.json" })
            foreach (var id in ModelEosIds(System.IO.Path.Combine(directory, file))) Add(id);
        if (Id("<|endoftext|>") is { } eot) Add(eot);
        return eos;
    }

    /// <summary>eos_token_id of a config.json or generation_config.json (none when the file or the key is absent);
    /// a value that is not an id or a list of ids is one line naming the file.</summary>
    private static IReadOnlyList<int> ModelEosIds(string path)
    {
        if (!File.Exists(path)) return [];
        var ids = ReadObject(path)["eos_token_id"] switch
        {
            null => [],
            JsonValue v when v.TryGetValue(out int id) => [id],
            JsonArray list when list.All(n => n is JsonValue v && v.TryGetValue(out int _)) => list.Select(n => (int)n!).ToList(),
            _ => throw Bad(path, "\"eos_token_id\" must be a token id or a list of token ids."),
        };
        return ids.Any(id => id < 0) ? throw Bad(path, "\"eos_token_id\" must not be negative.") : ids;
    }

    /// <summary>pad_token, else &lt;|endoftext|&gt;, else the first eos id, else unk.</summary>
    public int PadId() => Id(Config.Pad) ?? Id("<|endoftext|>") ?? EosIds().FirstOrDefault(-1) switch
    {
        -1 => Id((string?)Model["unk_token"]) ?? throw Bad(Path, "no pad, eos or unk token to pad batches with."),
        var eos => eos,
    };

    /// <summary>
    /// The BOS id when the tokenizer adds one to every sequence: add_bos_token in tokenizer_config.json, or a
    /// post-processor template that starts with a special token (Llama 3); null otherwise (GPT-2, Qwen2).
    /// </summary>
    public int? BosId()
    {
        if (Config.AddBos == false) return null;
        if (Config.AddBos == true) return Id(Config.Bos);
        var processors = Root["post_processor"] is JsonObject p && (string?)p["type"] == "Sequence" ? p["processors"] as JsonArray : new JsonArray(Root["post_processor"]?.DeepClone());
        foreach (var processor in processors ?? [])
        {
            if ((string?)processor?["type"] != "TemplateProcessing") continue;
            if ((string?)processor["single"]?[0]?["SpecialToken"]?["id"] is { } first) return Id(first);
        }
        return null;
    }

    /// <summary>The pre_tokenizer list (a Sequence flattened; none = empty).</summary>
    public IReadOnlyList<JsonObject> Stages(string key, string listKey)
    {
        var node = Root[key];
        if (node is null) return [];
        if (node is not JsonObject o) throw Bad(Path, $"\"{key}\" must be an object or null.");
        if ((string?)o["type"] == "Sequence") return [.. (o[listKey] as JsonArray ?? []).OfType<JsonObject>()];
        return [o];
    }

    public FormatException Unsupported(string key, JsonObject stage)
    {
        var behavior = stage["behavior"] is JsonValue b ? $" with behavior \"{b}\"" : "";
        return Bad(Path, $"\"{key}\" type \"{(string?)stage["type"]}\"{behavior} is not supported in this tokenizer family.");
    }

    public static FormatException Bad(string path, string problem) => new($"{path}: {problem}");

    private static (string, string) SplitMerge(string merge, string path)
    {
        var space = merge.IndexOf(' ', 1);
        if (space < 0) throw Bad(path, $"merge \"{merge}\" is not two tokens separated by a space.");
        return (merge[..space], merge[(space + 1)..]);
    }

    internal static JsonObject ReadObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw Bad(path, "expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }
}

/// <summary>The special tokens and chat template of a tokenizer_config.json (all optional).</summary>
public sealed record TokenizerConfigFile(string? Bos, string? Eos, string? Pad, bool? AddBos, string? ChatTemplate)
{
    /// <summary>Where recent Transformers versions save the chat template instead of tokenizer_config.json.</summary>
    public const string JinjaFileName = "chat_template.jinja";

    /// <summary>Hugging Face's generation settings beside the weights (its eos_token_id lists the stop ids).</summary>
    public const string GenerationConfigFileName = "generation_config.json";

    public static TokenizerConfigFile Load(string path)
    {
        var jinja = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, JinjaFileName);
        if (!File.Exists(path)) return new(null, null, null, null, File.Exists(jinja) ? File.ReadAllText(jinja) : null);
        var json = TokenizerFiles.ReadObject(path);
        static string? Token(JsonNode? node) => node switch
        {
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonObject o => (string?)o["content"],
            _ => null,
        };
        // chat_template is one string, or a list of {name, template} where "default" is the chat one.
        var template = json["chat_template"] switch
        {
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonArray list => list.OfType<JsonObject>().Where(t => (string?)t["name"] == "default").Select(t => (string?)t["template"]).FirstOrDefault(),
            _ => null,
        };
        if (template is null && File.Exists(jinja)) template = File.ReadAllText(jinja);
        var addBos = json["add_bos_token"] is JsonValue b && b.TryGetValue(out bool flag) ? flag : (bool?)null;
        return new(Token(json["bos_token"]), Token(json["eos_token"]), Token(json["pad_token"]), addBos, template);
    }
}
