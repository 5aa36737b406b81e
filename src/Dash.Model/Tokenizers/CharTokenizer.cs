// The built-in character vocabulary of Dash's default task: 4 special tokens, then printable ASCII; JSON-serialisable.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dash.Model.Tokenizers;

/// <summary>
/// One token per character. The default vocabulary is <c>&lt;pad&gt;</c>=0, <c>&lt;bos&gt;</c>=1,
/// <c>&lt;eos&gt;</c>=2, <c>&lt;unk&gt;</c>=3, then the printable ASCII characters 32..126 (ids 4..98). Characters
/// outside the vocabulary encode as <c>&lt;unk&gt;</c>, which decodes as U+FFFD; pad/bos/eos decode to nothing.
/// </summary>
public sealed class CharTokenizer : ITextTokenizer
{
    public const string FileName = "dash_tokenizer.json";
    private const string TypeName = "dash-char";
    private const int SpecialCount = 4;
    private readonly string _characters;
    private readonly Dictionary<char, int> _ids;

    private CharTokenizer(string characters)
    {
        _characters = characters;
        _ids = new Dictionary<char, int>(characters.Length);
        for (var i = 0; i < characters.Length; i++)
        {
            if (!_ids.TryAdd(characters[i], SpecialCount + i))
                throw new ArgumentException($"character '{characters[i]}' appears twice in the vocabulary.");
        }
    }

    /// <summary>The built-in vocabulary (no files needed).</summary>
    public static CharTokenizer Default { get; } = new(new string([.. Enumerable.Range(32, 95).Select(c => (char)c)]));

    public int VocabSize => SpecialCount + _characters.Length;
    public int PadId => 0;
    public int BosId => 1;
    public int EosId => 2;
    public int UnknownId => 3;
    public IReadOnlyList<int> EosIds => [EosId];
    int? ITextTokenizer.BosId => BosId;

    public int[] Encode(string text)
    {
        var ids = new int[text.Length];
        for (var i = 0; i < text.Length; i++) ids[i] = _ids.TryGetValue(text[i], out var id) ? id : UnknownId;
        return ids;
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder(ids.Length);
        foreach (var id in ids)
        {
            if (id >= SpecialCount && id < VocabSize) text.Append(_characters[id - SpecialCount]);
            else if (id == UnknownId) text.Append('\uFFFD');
        }
        return text.ToString();
    }

    /// <summary>Writes the vocabulary as a small JSON file (<see cref="FileName"/> in a model directory).</summary>
    public void Save(string path)
    {
        var json = new JsonObject
        {
            ["type"] = TypeName,
            ["version"] = 1,
            ["special_tokens"] = new JsonArray("<pad>", "<bos>", "<eos>", "<unk>"),
            ["characters"] = _characters,
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    public static CharTokenizer Load(string path)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                       ?? throw new FormatException("expected a JSON object.");
            if ((string?)json["type"] != TypeName) throw new FormatException($"\"type\" must be \"{TypeName}\".");
            var characters = (string?)json["characters"] ?? throw new FormatException("\"characters\" is missing.");
            return new CharTokenizer(characters);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"{path}: not a Dash character vocabulary ({e.Message}).", e);
        }
    }
}
