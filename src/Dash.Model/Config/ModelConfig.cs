// The transformer's shape, read from and written to a Hugging Face config.json (llama and qwen2 model types).
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dash.Model.Config;

/// <summary>
/// Architecture hyper-parameters of a Llama- or Qwen2-style causal LM, named as Hugging Face names them.
/// Qwen2 implies q/k/v projection biases (<see cref="AttentionBias"/>). Keys that would change the architecture in
/// a way Dash does not implement are refused when parsing (<see cref="UnimplementedKeys"/>).
/// </summary>
public sealed record ModelConfig
{
    public required string ModelType { get; init; }
    public required int HiddenSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int IntermediateSize { get; init; }
    public required int VocabSize { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    public bool TieWordEmbeddings { get; init; }
    public string TorchDtype { get; init; } = "float32";
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public bool AttentionBias { get; init; }

    /// <summary>RoPE frequency scaling ("rope_scaling"); null = plain RoPE.</summary>
    public RopeScaling? RopeScaling { get; init; }

    private readonly int? _headDim;

    /// <summary>Width of one attention head: "head_dim" when the config sets it, else hidden_size / num_attention_heads.
    /// q/k/v project to heads × head_dim and o_proj back to hidden_size.</summary>
    public int HeadDim
    {
        get => _headDim ?? HiddenSize / NumAttentionHeads;
        init => _headDim = value;
    }

    /// <summary>Whether head_dim was given rather than derived.</summary>
    internal bool HeadDimIsSet => _headDim is not null;

    /// <summary>The config.json object this config was parsed from; <see cref="ToJson"/> keeps its other keys.</summary>
    private JsonObject? Source { get; init; }

    /// <summary>The ~1M-parameter Llama Dash's built-in default task trains (d128, 4 layers, 4 heads, 2 KV heads, tied).</summary>
    public static ModelConfig Tiny(int vocabSize) => new()
    {
        ModelType = "llama",
        HiddenSize = 128,
        NumHiddenLayers = 4,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        IntermediateSize = 384,
        VocabSize = vocabSize,
        RmsNormEps = 1e-5,
        RopeTheta = 10000.0,
        TieWordEmbeddings = true,
        MaxPositionEmbeddings = 1024,
        BosTokenId = 1,
        EosTokenIds = [2],
    };

    /// <summary>A ~25M-parameter Llama for benchmarks (d512, 8 layers, 8 heads, 4 KV heads, FFN 1536, tied).</summary>
    public static ModelConfig Small(int vocabSize) => Tiny(vocabSize) with
    {
        HiddenSize = 512,
        NumHiddenLayers = 8,
        NumAttentionHeads = 8,
        NumKeyValueHeads = 4,
        IntermediateSize = 1536,
    };

    /// <summary>Qwen2.5-0.5B's published shape (its config.json: 0.49B parameters, 24 layers, 14 heads / 2 KV heads,
    /// q/k/v biases, tied embeddings, rope_theta 1e6), for benchmarks and memory estimates with random weights.</summary>
    public static ModelConfig QwenHalfBillion() => new()
    {
        ModelType = "qwen2",
        HiddenSize = 896,
        NumHiddenLayers = 24,
        NumAttentionHeads = 14,
        NumKeyValueHeads = 2,
        IntermediateSize = 4864,
        VocabSize = 151_936,
        RmsNormEps = 1e-6,
        RopeTheta = 1_000_000.0,
        TieWordEmbeddings = true,
        MaxPositionEmbeddings = 32_768,
        AttentionBias = true,
        EosTokenIds = [151_643],
    };

    /// <summary>Checks the cross-field rules; <paramref name="source"/> names the file in the message.</summary>
    public ModelConfig Validate(string source = "config")
    {
        void Require(bool ok, string key, string why)
        {
            if (!ok) throw new ModelConfigException($"{source}: \"{key}\" {why}");
        }
        Require(IsSupported(ModelType), "model_type", $"is \"{ModelType}\"; Dash supports llama and qwen2.");
        Require(HiddenSize > 0, "hidden_size", "must be positive.");
        Require(NumHiddenLayers > 0, "num_hidden_layers", "must be positive.");
        Require(NumAttentionHeads > 0 && (_headDim is not null || HiddenSize % NumAttentionHeads == 0), "num_attention_heads",
            $"= {NumAttentionHeads} must be positive and divide hidden_size = {HiddenSize} (or set head_dim).");
        if (_headDim is { } explicitDim)
            Require(explicitDim > 0 && explicitDim % 2 == 0, "head_dim", $"= {explicitDim} must be positive and even (rotary embeddings rotate pairs).");
        else
            Require(HeadDim % 2 == 0, "num_attention_heads", $"gives head size {HeadDim}; rotary embeddings need an even head size.");
        Require(NumKeyValueHeads > 0 && NumAttentionHeads % NumKeyValueHeads == 0, "num_key_value_heads",
            $"= {NumKeyValueHeads} must be positive and divide num_attention_heads = {NumAttentionHeads}.");
        Require(IntermediateSize > 0, "intermediate_size", "must be positive.");
        Require(VocabSize > 0, "vocab_size", "must be positive.");
        Require(RmsNormEps > 0, "rms_norm_eps", "must be positive.");
        Require(RopeTheta > 0, "rope_theta", "must be positive.");
        Require(MaxPositionEmbeddings > 0, "max_position_embeddings", "must be positive.");
        return this;
    }

    /// <summary>Reads and validates a Hugging Face config.json.</summary>
    /// <exception cref="ModelConfigException">The file is missing, not JSON, or a key is missing or has a bad value.</exception>
    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ModelConfigException($"{path}: model config file not found.");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{path}: not valid JSON ({e.Message}).", e);
        }
        if (root is not JsonObject json) throw new ModelConfigException($"{path}: expected a JSON object.");
        return Parse(json, path);
    }

    private static bool IsSupported(string modelType) => modelType is "llama" or "qwen2";

    /// <summary>Builds a config from the JSON object of a config.json; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig Parse(JsonObject json, string source)
    {
        var r = new ConfigJsonReader(json, source);
        var modelType = r.String("model_type");
        if (!IsSupported(modelType))
            throw new ModelConfigException($"{source}: \"model_type\" is \"{modelType}\"; Dash supports llama and qwen2.");
        UnimplementedKeys.Refuse(r, modelType, source);
        var hidden = r.Int("hidden_size");
        var heads = r.Int("num_attention_heads");
        // Transformers 5 moves rope_theta and the scaling into one "rope_parameters" object.
        var ropeParameters = r.OptionalObject("rope_parameters");
        var rope = ropeParameters is null ? null : new ConfigJsonReader(ropeParameters, $"{source}: \"rope_parameters\"");
        var headDim = r.OptionalInt("head_dim");
        var config = new ModelConfig
        {
            Source = json.DeepClone().AsObject(),
            ModelType = modelType,
            HiddenSize = hidden,
            NumHiddenLayers = r.Int("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = r.OptionalInt("num_key_value_heads") ?? heads,
            IntermediateSize = r.Int("intermediate_size"),
            VocabSize = r.Int("vocab_size"),
            RmsNormEps = r.OptionalDouble("rms_norm_eps") ?? 1e-6,
            RopeTheta = rope?.OptionalDouble("rope_theta") ?? r.OptionalDouble("rope_theta") ?? 10000.0,
            RopeScaling = ropeParameters is not null
                ? RopeScaling.Parse(ropeParameters, source, "rope_parameters")
                : RopeScaling.Parse(r.OptionalObject("rope_scaling"), source),
            TieWordEmbeddings = r.OptionalBool("tie_word_embeddings") ?? false,
            TorchDtype = r.OptionalString("torch_dtype") ?? "float32",
            MaxPositionEmbeddings = r.OptionalInt("max_position_embeddings") ?? 2048,
            BosTokenId = r.OptionalInt("bos_token_id"),
            EosTokenIds = r.IntOrIntList("eos_token_id"),
            AttentionBias = modelType == "qwen2" || (r.OptionalBool("attention_bias") ?? false),
        };
        if (headDim is not null) config = config with { HeadDim = headDim.Value };
        return config.Validate(source);
    }

    /// <summary>
    /// The config as a Hugging Face config.json object: the keys of the file it was parsed from (neutral keys Dash
    /// does not read, such as sliding_window or transformers_version, stay as they were), with Dash's values on top.
    /// </summary>
    public JsonObject ToJson()
    {
        var json = Source?.DeepClone().AsObject() ?? [];
        json["architectures"] ??= new JsonArray(ModelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        json["model_type"] = ModelType;
        json["vocab_size"] = VocabSize;
        json["hidden_size"] = HiddenSize;
        json["intermediate_size"] = IntermediateSize;
        json["num_hidden_layers"] = NumHiddenLayers;
        json["num_attention_heads"] = NumAttentionHeads;
        json["num_key_value_heads"] = NumKeyValueHeads;
        json["max_position_embeddings"] = MaxPositionEmbeddings;
        json["rms_norm_eps"] = RmsNormEps;
        json["hidden_act"] = "silu";
        json["tie_word_embeddings"] = TieWordEmbeddings;
        json["torch_dtype"] = TorchDtype;
        json["attention_bias"] = AttentionBias;
        if (_headDim is { } headDim) json["head_dim"] = headDim;
        if (json["rope_parameters"] is JsonObject)
        {
            var parameters = RopeScaling?.ToJson() ?? new JsonObject { ["rope_type"] = "default" };
            parameters["rope_theta"] = RopeTheta;
            json["rope_parameters"] = parameters;
        }
        else
        {
            json["rope_theta"] = RopeTheta;
            if (RopeScaling is not null) json["rope_scaling"] = RopeScaling.ToJson();
            else if (json["rope_scaling"] is JsonObject) json["rope_scaling"] = null;
        }
        if (BosTokenId is { } bos) json["bos_token_id"] = bos;
        if (EosTokenIds.Count == 1) json["eos_token_id"] = EosTokenIds[0];
        else if (EosTokenIds.Count > 1) json["eos_token_id"] = new JsonArray([.. EosTokenIds.Select(id => (JsonNode)id)]);
        return json;
    }

    /// <summary>Writes the config as config.json text.</summary>
    public void Save(string path) =>
        File.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    public bool Equals(ModelConfig? other) =>
        other is not null && ModelType == other.ModelType && HiddenSize == other.HiddenSize &&
        NumHiddenLayers == other.NumHiddenLayers && NumAttentionHeads == other.NumAttentionHeads &&
        NumKeyValueHeads == other.NumKeyValueHeads && IntermediateSize == other.IntermediateSize &&
        VocabSize == other.VocabSize && RmsNormEps == other.RmsNormEps && RopeTheta == other.RopeTheta &&
        TieWordEmbeddings == other.TieWordEmbeddings && TorchDtype == other.TorchDtype &&
        MaxPositionEmbeddings == other.MaxPositionEmbeddings && BosTokenId == other.BosTokenId &&
        EosTokenIds.SequenceEqual(other.EosTokenIds) && AttentionBias == other.AttentionBias &&
        HeadDim == other.HeadDim && RopeScaling == other.RopeScaling;

    public override int GetHashCode() => HashCode.Combine(ModelType, HiddenSize, NumHiddenLayers, VocabSize);
}

/// <summary>A config.json is missing, malformed, or names an unsupported architecture; the message names file and key.</summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException(string message) : base(message) { }
    public ModelConfigException(string message, Exception inner) : base(message, inner) { }
}
