// RoPE frequency scaling as Hugging Face's config.json "rope_scaling" names it: the "linear" and "llama3" kinds.
using System.Text.Json.Nodes;

namespace Dash.Model.Config;

/// <summary>
/// How the rotary inverse frequencies are rescaled for a longer context. <c>linear</c> divides every frequency by
/// <see cref="Factor"/> (positions / factor); <c>llama3</c> divides the low frequencies (wavelength above
/// original_max_position_embeddings / low_freq_factor) by the factor, keeps the high ones (wavelength below
/// original_max_position_embeddings / high_freq_factor) and blends in between, as Llama 3.1/3.2 configs ask.
/// </summary>
public sealed record RopeScaling
{
    public const string Linear = "linear";
    public const string Llama3 = "llama3";

    public required string Type { get; init; }
    public required double Factor { get; init; }
    public double LowFreqFactor { get; init; } = 1.0;
    public double HighFreqFactor { get; init; } = 4.0;
    public int OriginalMaxPositionEmbeddings { get; init; } = 8192;

    /// <summary>
    /// Reads a "rope_scaling" object (the kind under "rope_type", or "type" in older configs). Null, a missing object
    /// or the kind "default" mean no scaling; a kind Dash does not implement is refused naming key and value.
    /// </summary>
    internal static RopeScaling? Parse(JsonObject? json, string source, string key = "rope_scaling")
    {
        if (json is null) return null;
        var r = new ConfigJsonReader(json, $"{source}: \"{key}\"");
        var typeKey = json.ContainsKey("rope_type") ? "rope_type" : "type";
        var type = r.OptionalString(typeKey) ?? "default";
        switch (type)
        {
            case "default":
                return null;
            case Linear:
                return new RopeScaling { Type = Linear, Factor = r.OptionalDouble("factor") ?? throw Missing(source, key, "factor") }
                    .Validate(source, key);
            case Llama3:
                return new RopeScaling
                {
                    Type = Llama3,
                    Factor = r.OptionalDouble("factor") ?? throw Missing(source, key, "factor"),
                    LowFreqFactor = r.OptionalDouble("low_freq_factor") ?? throw Missing(source, key, "low_freq_factor"),
                    HighFreqFactor = r.OptionalDouble("high_freq_factor") ?? throw Missing(source, key, "high_freq_factor"),
                    OriginalMaxPositionEmbeddings = r.OptionalInt("original_max_position_embeddings")
                                                    ?? throw Missing(source, key, "original_max_position_embeddings"),
                }.Validate(source, key);
            default:
                throw new ModelConfigException(
                    $"{source}: \"{key}\".\"{typeKey}\" = \"{type}\" is not implemented; Dash implements \"{Linear}\" and \"{Llama3}\" RoPE scaling (or none).");
        }
    }

    private RopeScaling Validate(string source, string key)
    {
        void Require(bool ok, string field, string why)
        {
            if (!ok) throw new ModelConfigException($"{source}: \"{key}\".\"{field}\" {why}");
        }
        Require(Factor > 0, "factor", $"= {Factor} must be positive.");
        if (Type != Llama3) return this;
        Require(LowFreqFactor > 0, "low_freq_factor", $"= {LowFreqFactor} must be positive.");
        Require(HighFreqFactor > LowFreqFactor, "high_freq_factor", $"= {HighFreqFactor} must exceed low_freq_factor = {LowFreqFactor}.");
        Require(OriginalMaxPositionEmbeddings > 0, "original_max_position_embeddings", "must be positive.");
        return this;
    }

    private static ModelConfigException Missing(string source, string key, string field) =>
        new($"{source}: \"{key}\" needs \"{field}\" for this RoPE scaling type.");

    /// <summary>The object Hugging Face reads back.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["rope_type"] = Type, ["factor"] = Factor };
        if (Type != Llama3) return json;
        json["low_freq_factor"] = LowFreqFactor;
        json["high_freq_factor"] = HighFreqFactor;
        json["original_max_position_embeddings"] = OriginalMaxPositionEmbeddings;
        return json;
    }
}
