// Typed access to the keys of a config.json object, with errors that name the file and the key.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dash.Model.Config;

internal sealed class ConfigJsonReader(JsonObject json, string source)
{
    public string String(string key) => OptionalString(key) ?? throw Missing(key);
    public int Int(string key) => OptionalInt(key) ?? throw Missing(key);

    public string? OptionalString(string key) => Get(key, (JsonValue v, out string? s) => v.TryGetValue(out s), "a string");

    public int? OptionalInt(string key)
    {
        var d = OptionalDouble(key);
        if (d is null) return null;
        if (d != Math.Floor(d.Value) || d < int.MinValue || d > int.MaxValue) throw Bad(key, "an integer");
        return (int)d.Value;
    }

    public double? OptionalDouble(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        // Parsed text and values set in code (ints, doubles) both read through their JSON number text.
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            return double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
        throw Bad(key, "a number");
    }

    public bool? OptionalBool(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue(out bool b)) return b;
        throw Bad(key, "true or false");
    }

    /// <summary>Whether the key is present with a value other than JSON null.</summary>
    public bool HasNonNull(string key) => Node(key) is not null;

    /// <summary>A list of strings, or null when absent.</summary>
    public IReadOnlyList<string>? OptionalStringList(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        if (node is JsonArray array && array.All(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.String))
            return [.. array.Select(i => (string)i!)];
        throw Bad(key, "a list of strings");
    }

    /// <summary>A nested object; JSON null reads as absent.</summary>
    public JsonObject? OptionalObject(string key) => Node(key) switch
    {
        null => null,
        JsonObject o => o,
        _ => throw Bad(key, "an object or null"),
    };

    /// <summary>Hugging Face writes eos_token_id as one id or a list of ids.</summary>
    public IReadOnlyList<int> IntOrIntList(string key)
    {
        var node = Node(key);
        if (node is null) return [];
        if (node is JsonArray array)
        {
            var ids = new List<int>();
            foreach (var item in array)
            {
                if (item is JsonValue v && v.TryGetValue(out int id)) ids.Add(id);
                else throw Bad(key, "an integer or a list of integers");
            }
            return ids;
        }
        return [OptionalInt(key)!.Value];
    }

    private delegate bool TryGet<T>(JsonValue value, out T? result);

    private T? Get<T>(string key, TryGet<T> tryGet, string expected) where T : class
    {
        var node = Node(key);
        if (node is null) return null;
        if (node is JsonValue v && tryGet(v, out var result)) return result;
        throw Bad(key, expected);
    }

    private JsonNode? Node(string key) => json.TryGetPropertyValue(key, out var node) ? node : null;

    private ModelConfigException Missing(string key) => new($"{source}: required key \"{key}\" is missing.");

    private ModelConfigException Bad(string key, string expected) =>
        new($"{source}: \"{key}\" = {Node(key)?.ToJsonString()} must be {expected}.");
}
