// Loads and saves a Hugging Face style model directory: config.json + model.safetensors (or a sharded index).
using System.Text.Json;
using System.Text.Json.Nodes;
using Dash.Model.Config;
using Dash.Model.Tokenizers;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Checkpoints;

/// <summary>
/// One call to load a model directory into a <see cref="CausalLM"/> (weights converted to the model's dtype) and one
/// to save it. Every stored tensor must match a model parameter by name and shape and every parameter must be stored;
/// on any error the partly loaded model is disposed and a <see cref="SafetensorsException"/> names file and tensor.
/// </summary>
public static class ModelDirectory
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Loads config and weights from <paramref name="directory"/> onto <paramref name="device"/> (CPU by default).</summary>
    public static CausalLM Load(string directory, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: model directory not found.");
        var config = ModelConfig.Load(System.IO.Path.Combine(directory, ConfigFile));
        var model = new CausalLM(config, device, dtype);
        try
        {
            LoadWeights(model, directory);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The tokenizer the directory carries (tokenizer.json → Qwen BPE, dash_tokenizer.json → characters).</summary>
    public static ITextTokenizer LoadTokenizer(string directory) => TextTokenizers.Load(directory);

    /// <summary>Fills the parameters of <paramref name="model"/> from the weights in <paramref name="directory"/>.</summary>
    public static void LoadWeights(CausalLM model, string directory)
    {
        var shards = WeightShards(directory);
        var parameters = model.state_dict();
        var files = new List<SafetensorsFile>();
        try
        {
            var owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (file, names) in shards)
            {
                var opened = SafetensorsFile.Open(file);
                files.Add(opened);
                foreach (var name in names ?? opened.Tensors.Keys)
                {
                    if (!opened.Tensors.ContainsKey(name))
                        throw new SafetensorsException(file, name, "listed in the index but not in this shard.");
                    owner[name] = opened;
                }
            }

            var configPath = System.IO.Path.Combine(directory, ConfigFile);
            CheckpointConfigCheck.BeforeLoading(model.Config, configPath,
                owner.ToDictionary(kv => kv.Key, kv => (kv.Value.Path, kv.Value.Tensors[kv.Key].Shape), StringComparer.Ordinal));
            foreach (var (name, source) in owner)
            {
                if (!parameters.ContainsKey(name) && !Ignorable(name, model.Config))
                    throw new SafetensorsException(source.Path, name, "unexpected: the model has no such parameter (wrong architecture or config?).");
            }
            foreach (var name in parameters.Keys)
            {
                if (!owner.ContainsKey(name))
                    throw new SafetensorsException(shards[0].File, name, "missing: the model needs it but no weight file holds it.");
            }
            foreach (var (name, source) in owner)
            {
                if (parameters.TryGetValue(name, out var target)) source.ReadInto(name, target);
            }
            if (owner.TryGetValue("lm_head.weight", out var head))
                CheckpointConfigCheck.TiedHead(model.Config, configPath, head, parameters["model.embed_tokens.weight"]);
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }

    /// <summary>Saves config.json and model.safetensors (weights in the model's dtype) into <paramref name="directory"/>.</summary>
    public static void Save(CausalLM model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(directory);
        var dtypeName = model.Dtype switch
        {
            ScalarType.BFloat16 => "bfloat16",
            ScalarType.Float16 => "float16",
            _ => "float32",
        };
        (model.Config with { TorchDtype = dtypeName }).Save(System.IO.Path.Combine(directory, ConfigFile));
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        SafetensorsWriter.Write(System.IO.Path.Combine(directory, WeightsFile), model.state_dict(), meta);
    }

    // Tied checkpoints sometimes still store lm_head.weight; old ones store RoPE inverse frequencies.
    private static bool Ignorable(string name, ModelConfig config) =>
        (config.TieWordEmbeddings && name == "lm_head.weight") || name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal);

    /// <summary>The weight files of a directory with the tensor names each should hold (null = all in the file).</summary>
    private static List<(string File, IReadOnlyCollection<string>? Names)> WeightShards(string directory)
    {
        var single = System.IO.Path.Combine(directory, WeightsFile);
        if (File.Exists(single)) return [(single, null)];
        var index = System.IO.Path.Combine(directory, IndexFile);
        if (!File.Exists(index))
            throw new SafetensorsException(directory, null, $"neither {WeightsFile} nor {IndexFile} exists.");
        JsonObject map;
        try
        {
            map = JsonNode.Parse(File.ReadAllText(index))?["weight_map"] as JsonObject
                  ?? throw new SafetensorsException(index, null, "\"weight_map\" object is missing.");
        }
        catch (JsonException e)
        {
            throw new SafetensorsException(index, null, $"not valid JSON ({e.Message}).", e);
        }
        var byFile = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, node) in map)
        {
            if (node is not JsonValue v || !v.TryGetValue(out string? file) || file.Contains('/') || file.Contains('\\'))
                throw new SafetensorsException(index, name, "weight_map value must be a file name in the same directory.");
            if (!byFile.TryGetValue(file, out var names)) byFile[file] = names = [];
            names.Add(name);
        }
        if (byFile.Count == 0) throw new SafetensorsException(index, null, "weight_map is empty.");
        return [.. byFile.Select(kv => (System.IO.Path.Combine(directory, kv.Key), (IReadOnlyCollection<string>?)kv.Value))];
    }
}
