// Test fixture: a Hugging Face SentencePiece-style tokenizer.json for stories260K, converted from its llama2.c vocabulary.
using System.Text;
using System.Text.Json.Nodes;

namespace Dash.Testing;

/// <summary>
/// Converts shared/data/models/stories260K/tok512_vocab.json (llama2.c pieces with scores) the way Hugging Face's
/// SentencePiece converter does: spaces become ▁, ids 0–2 are &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, and the merges are every
/// split of a piece into two vocabulary pieces, ordered by the merged piece's score (highest first), ties by the
/// ids of the left and right pieces. Writes into a folder of the test's own, never into the shared data.
/// </summary>
internal static class Stories260KTokenizer
{
    public static string ModelDirectory => SharedData.File("models/stories260K");

    /// <summary>The pieces by id with their scores.</summary>
    public static (string Piece, double Score)[] Pieces()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelDirectory, "tok512_vocab.json")))!;
        string[] special = ["<unk>", "<s>", "</s>"];
        return [.. root["vocab"]!.AsArray().Select(v =>
        {
            var id = (int)v!["id"]!;
            var text = Encoding.UTF8.GetString(Convert.FromHexString((string)v["piece_hex"]!));
            return (id < 3 ? special[id] : text.Replace(' ', '▁'), (double)v["score"]!);
        })];
    }

    /// <summary>
    /// A tokenizer.json in Hugging Face's legacy Llama form (normalizer Prepend ▁ + Replace ' '→▁, decoder Replace,
    /// ByteFallback, Fuse, Strip) or, with <paramref name="metaspace"/>, the newer Metaspace pre-tokenizer form.
    /// </summary>
    public static JsonObject TokenizerJson(bool metaspace = false)
    {
        var pieces = Pieces();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < pieces.Length; i++) ids.TryAdd(pieces[i].Piece, i);
        var merges = new List<(string Left, string Right, double Score)>();
        foreach (var (piece, score) in pieces)
        {
            var local = new List<(string, string, double)>();
            for (var cut = 1; cut < piece.Length; cut++)
            {
                var (left, right) = (piece[..cut], piece[cut..]);
                if (ids.ContainsKey(left) && ids.ContainsKey(right)) local.Add((left, right, score));
            }
            merges.AddRange(local.OrderBy(m => ids[m.Item1]).ThenBy(m => ids[m.Item2]));
        }
        var ordered = merges.OrderByDescending(m => m.Score).ToList(); // stable: keeps the per-piece order on ties

        var vocab = new JsonObject();
        foreach (var (piece, id) in ids) vocab[piece] = id;
        JsonNode Added(int id, string content) => new JsonObject
        {
            ["id"] = id,
            ["content"] = content,
            ["single_word"] = false,
            ["lstrip"] = false,
            ["rstrip"] = false,
            ["normalized"] = false,
            ["special"] = true,
        };
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>")),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["unk_token"] = "<unk>",
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray([.. ordered.Select(m => (JsonNode)new JsonArray(m.Left, m.Right))]),
            },
        };
        if (metaspace)
        {
            json["normalizer"] = null;
            json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false };
            json["decoder"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false };
        }
        else
        {
            json["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            };
            json["pre_tokenizer"] = null;
            json["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            };
        }
        return json;
    }

    /// <summary>
    /// Fills <paramref name="directory"/> with a complete model folder: the tokenizer.json above, a tokenizer_config.json
    /// (bos &lt;s&gt; added, eos &lt;/s&gt;, Llama 2's chat template) and links to (or copies of) config.json and model.safetensors.
    /// </summary>
    public static void WriteModelFolder(string directory, bool metaspace = false)
    {
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), TokenizerJson(metaspace).ToJsonString());
        var config = new JsonObject
        {
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["unk_token"] = "<unk>",
            ["add_bos_token"] = true,
            ["add_eos_token"] = false,
            ["chat_template"] = LlamaChatTemplate,
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString());
        foreach (var name in new[] { "config.json", "model.safetensors" })
        {
            var target = Path.Combine(directory, name);
            try
            {
                File.CreateSymbolicLink(target, Path.Combine(ModelDirectory, name));
            }
            catch (IOException)
            {
                File.Copy(Path.Combine(ModelDirectory, name), target);
            }
        }
    }

    /// <summary>A Llama 2 style chat template (the text tokenizer_config.json carries; Dash keeps it as given).</summary>
    public const string LlamaChatTemplate =
        "{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}" +
        "{% else %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endif %}{% endfor %}";
}
