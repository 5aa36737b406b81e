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

    /// <summary>
    /// The tokenizer the directory carries (tokenizer.json → BPE, dash_tokenizer.json → characters), refused in one line
    /// when it has ids that config.json's vocab_size gives no embedding row (the model would fail on the first such token).
    /// </summary>
    public static ITextTokenizer LoadTokenizer(string directory)
    {
        var tokenizer = TextTokenizers.Load(directory);
        var configPath = System.IO.Path.Combine(directory, ConfigFile);
        if (File.Exists(configPath))
        {
            var vocab = ModelConfig.Load(configPath).VocabSize;
            if (tokenizer.VocabSize > vocab)
                throw new ModelConfigException($"{configPath}: \"vocab_size\" = {vocab}, but the tokenizer in {directory} has ids up to " +
                                               $"{tokenizer.VocabSize - 1}, which the model has no embedding for; use the tokenizer the model was trained with.");
        }
        return tokenizer;
    }

    /// <summary>
    /// Fills the parameters of <paramref name="model"/> from the Hugging Face tensors in <paramref name="directory"/>
    /// (fused parameters take their q/k/v and gate/up rows from the separate tensors) and records each tensor's stored
    /// dtype in <see cref="CausalLM.LoadedDtypes"/>.
    /// </summary>
    public static void LoadWeights(CausalLM model, string directory)
    {
        using var scope = NewDisposeScope();
        var shards = WeightShards(directory);
        var parameters = model.HuggingFaceTensors().ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
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
                if (!owner.ContainsKey(name)) throw Missing(directory, shards, name);
            }
            foreach (var (name, target) in parameters) owner[name].ReadInto(name, target);
            if (owner.TryGetValue("lm_head.weight", out var head))
                CheckpointConfigCheck.TiedHead(model.Config, configPath, head, parameters["model.embed_tokens.weight"]);
            model.LoadedDtypes = parameters.Keys.ToDictionary(name => name, name => owner[name].Tensors[name].Dtype.ToScalarType(), StringComparer.Ordinal);
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }

    /// <summary>
    /// Checks <paramref name="directory"/> without reading any weight: config.json parses, every weight file's header is
    /// valid and each tensor's byte range lies inside the file, and the tensors the config needs are stored with their
    /// shapes (and nothing the model has no place for). Throws a <see cref="SafetensorsException"/> or
    /// <see cref="ModelConfigException"/> naming the file and the problem.
    /// </summary>
    public static void Verify(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: model directory not found.");
        var configPath = System.IO.Path.Combine(directory, ConfigFile);
        var config = ModelConfig.Load(configPath);
        var stored = new Dictionary<string, (string File, long[] Shape)>(StringComparer.Ordinal);
        var shards = WeightShards(directory);
        foreach (var (file, names) in shards)
        {
            using var opened = SafetensorsFile.Open(file);
            foreach (var name in names ?? opened.Tensors.Keys)
            {
                if (!opened.Tensors.TryGetValue(name, out var entry))
                    throw new SafetensorsException(file, name, "listed in the index but not in this shard.");
                stored[name] = (file, entry.Shape);
            }
        }
        CheckpointConfigCheck.BeforeLoading(config, configPath, stored);
        var expected = ExpectedShapes(config);
        foreach (var (name, shape) in expected)
        {
            if (!stored.TryGetValue(name, out var entry)) throw Missing(directory, shards, name);
            if (!entry.Shape.SequenceEqual(shape))
                throw new SafetensorsException(entry.File, name,
                    $"shape [{string.Join(", ", entry.Shape)}] in the file does not match [{string.Join(", ", shape)}] that {ConfigFile} gives it.");
        }
        foreach (var (name, entry) in stored)
        {
            if (!expected.ContainsKey(name) && !Ignorable(name, config))
                throw new SafetensorsException(entry.File, name, "unexpected: the model has no such parameter (wrong architecture or config?).");
        }
    }

    /// <summary>Every parameter a <see cref="CausalLM"/> of <paramref name="config"/> has, with its shape.</summary>
    public static Dictionary<string, long[]> ExpectedShapes(ModelConfig config)
    {
        long d = config.HiddenSize, v = config.VocabSize, i = config.IntermediateSize;
        long q = (long)config.NumAttentionHeads * config.HeadDim, kv = (long)config.NumKeyValueHeads * config.HeadDim;
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["model.embed_tokens.weight"] = [v, d],
            ["model.norm.weight"] = [d],
        };
        if (!config.TieWordEmbeddings) shapes["lm_head.weight"] = [v, d];
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            var p = $"model.layers.{layer}.";
            shapes[p + "input_layernorm.weight"] = [d];
            shapes[p + "post_attention_layernorm.weight"] = [d];
            shapes[p + "self_attn.q_proj.weight"] = [q, d];
            shapes[p + "self_attn.k_proj.weight"] = [kv, d];
            shapes[p + "self_attn.v_proj.weight"] = [kv, d];
            shapes[p + "self_attn.o_proj.weight"] = [d, q];
            if (config.AttentionBias)
            {
                shapes[p + "self_attn.q_proj.bias"] = [q];
                shapes[p + "self_attn.k_proj.bias"] = [kv];
                shapes[p + "self_attn.v_proj.bias"] = [kv];
            }
            shapes[p + "mlp.gate_proj.weight"] = [i, d];
            shapes[p + "mlp.up_proj.weight"] = [i, d];
            shapes[p + "mlp.down_proj.weight"] = [d, i];
        }
        return shapes;
    }

    /// <summary>
    /// Saves config.json and model.safetensors in Hugging Face's layout (q/k/v and gate/up as separate tensors): each
    /// tensor in the dtype it was loaded in (<see cref="CausalLM.LoadedDtypes"/>; a BF16 directory is saved as BF16),
    /// others in the model's dtype. config.json's torch_dtype names the dtype the tensors share.
    /// </summary>
    public static void Save(CausalLM model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = NewDisposeScope();
        Directory.CreateDirectory(directory);
        var tensors = model.HuggingFaceTensors()
            .Select(p => KeyValuePair.Create(p.Name, model.LoadedDtypes.TryGetValue(p.Name, out var d) && d != p.Tensor.dtype ? p.Tensor.to_type(d) : p.Tensor))
            .ToList();
        var dtypes = tensors.Select(t => t.Value.dtype).Distinct().ToList();
        var dtypeName = (dtypes.Count == 1 ? dtypes[0] : model.Dtype) switch
        {
            ScalarType.BFloat16 => "bfloat16",
            ScalarType.Float16 => "float16",
            _ => "float32",
        };
        (model.Config with { TorchDtype = dtypeName }).Save(System.IO.Path.Combine(directory, ConfigFile));
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        SafetensorsWriter.Write(System.IO.Path.Combine(directory, WeightsFile), tensors, meta);
    }

    // Tied checkpoints sometimes still store lm_head.weight; old ones store RoPE inverse frequencies.
    private static bool Ignorable(string name, ModelConfig config) =>
        (config.TieWordEmbeddings && name == "lm_head.weight") || name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal);

    /// <summary>A tensor the model needs that no weight file gives it. With an index, the fault may be the index's: a
    /// shard in the folder holds the tensor but weight_map does not list it.</summary>
    private static SafetensorsException Missing(string directory, List<(string File, IReadOnlyCollection<string>? Names)> shards, string name)
    {
        if (shards.All(s => s.Names is null))
            return new SafetensorsException(shards[0].File, name, "missing: the model needs it but the weight file does not hold it.");
        var index = System.IO.Path.Combine(directory, IndexFile);
        foreach (var file in Directory.GetFiles(directory, "*.safetensors").Order(StringComparer.Ordinal))
        {
            using var opened = SafetensorsFile.Open(file);
            if (opened.Tensors.ContainsKey(name))
                return new SafetensorsException(index, name, $"not in the index's weight_map, though {System.IO.Path.GetFileName(file)} holds it: add it to weight_map.");
        }
        return new SafetensorsException(index, name, "missing: the model needs it but neither the index nor any weight file in the folder holds it.");
    }

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
