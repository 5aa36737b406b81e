// Where the policy comes from: a Hugging Face model directory, or the built-in tiny model for the default task.
using Dash.Actors.Settings;
using Dash.Model.Checkpoints;
using Dash.Model.Config;
using Dash.Model.Runtime;
using Dash.Model.Tokenizers;
using Dash.Model.Transformer;
using TorchSharp;

namespace Dash.Actors.Engines.Torch;

/// <summary>Builds model replicas and the tokenizer for a run.</summary>
public sealed class PolicyModels
{
    private readonly ModelSettings _settings;
    private readonly long _seed;

    private readonly string? _initFrom;

    /// <param name="initFrom">Built-in model only: a model directory (a warm-up checkpoint) to take the initial weights from.</param>
    public PolicyModels(ModelSettings settings, long seed, string? initFrom = null)
    {
        _settings = settings;
        _seed = seed;
        _initFrom = initFrom;
        Device = DeviceSpec.Parse(settings.Device, "dash.model.device");
        if (settings.Dir.Length > 0 && !Directory.Exists(settings.Dir))
            throw new SettingsException($"dash.model.dir = \"{settings.Dir}\": no such directory. Give a Hugging Face model directory " +
                                        "(config.json + *.safetensors + tokenizer.json), or leave it empty for the built-in tiny model.");
        Tokenizer = settings.Dir.Length > 0 ? ModelDirectory.LoadTokenizer(settings.Dir) : CharTokenizer.Default;
        Dtype = DtypeSpec.Parse(settings.Dtype, "dash.model.dtype");
    }

    /// <summary>The compute dtype of samplers and of the learner's forward/backward (dash.model.dtype).</summary>
    public torch.ScalarType Dtype { get; }

    public DeviceSpec Device { get; }

    public ITextTokenizer Tokenizer { get; }

    /// <summary>The architecture of every replica (what the memory check sizes).</summary>
    public ModelConfig Config => IsBuiltIn ? ModelConfig.Tiny(Tokenizer.VocabSize) : ModelConfig.Load(Path.Combine(_settings.Dir, "config.json"));

    public bool IsBuiltIn => _settings.Dir.Length == 0;

    public string Description => IsBuiltIn
        ? $"built-in tiny model ({ModelConfig.Tiny(Tokenizer.VocabSize).HiddenSize}d x {ModelConfig.Tiny(Tokenizer.VocabSize).NumHiddenLayers} layers, character vocabulary) on {Device}{InDtype}"
        : $"model {_settings.Dir} on {Device}{InDtype}";

    private string InDtype => Dtype == torch.ScalarType.BFloat16 ? " in bfloat16" : "";

    /// <summary>The files beside the weights that a checkpoint copies from the model directory: the tokenizer, its chat
    /// template (tokenizer_config.json or chat_template.jinja) and the generation settings that name the stop ids.</summary>
    private static readonly string[] TokenizerSideFiles =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", TokenizerConfigFile.JinjaFileName,
        TokenizerConfigFile.GenerationConfigFileName, CharTokenizer.FileName,
    ];

    /// <summary>Writes the tokenizer's files into a model directory (a checkpoint), so it loads on its own.</summary>
    public void SaveTokenizer(string directory)
    {
        if (IsBuiltIn)
        {
            ((CharTokenizer)Tokenizer).Save(Path.Combine(directory, CharTokenizer.FileName));
            return;
        }
        foreach (var file in TokenizerSideFiles)
        {
            var source = Path.Combine(_settings.Dir, file);
            if (File.Exists(source)) File.Copy(source, Path.Combine(directory, file), overwrite: true);
        }
    }

    /// <summary>
    /// A replica with the run's initial weights: the directory's, or the built-in model initialised from the run seed,
    /// in <paramref name="dtype"/> (default: <see cref="Dtype"/>), on <paramref name="on"/> (default: dash.model.device).
    /// Call on the thread that will use it (torch thread settings are per thread).
    /// </summary>
    public CausalLM Create(torch.ScalarType? dtype = null, ActorDevice? on = null)
    {
        torch.set_num_threads(_settings.Threads);
        var device = on is null ? Device.ToTorch("dash.model.device") : on.Device.ToTorch(on.Key);
        var type = dtype ?? Dtype;
        if (!IsBuiltIn) return ModelDirectory.Load(_settings.Dir, device, type);
        var model = new CausalLM(ModelConfig.Tiny(Tokenizer.VocabSize), device, type);
        if (_initFrom is not null)
        {
            ModelDirectory.LoadWeights(model, _initFrom);
            return model;
        }
        using var generator = new torch.Generator((ulong)_seed);
        model.InitializeWeights(generator);
        return model;
    }
}
