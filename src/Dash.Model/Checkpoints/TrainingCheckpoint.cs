// A learner's checkpoint: the Hugging Face model directory, plus the exact weights where that directory rounds them.
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Checkpoints;

/// <summary>
/// <see cref="ModelDirectory.Save"/> keeps the dtypes the weights were loaded in, so a BF16 directory trained with
/// float32 master weights is saved as BF16. A resumed run must continue from the unrounded weights, so those tensors
/// are also written in the model's dtype to <see cref="MasterWeightsFile"/> (Dash's own file; Hugging Face loaders
/// ignore it), and <see cref="Load"/> prefers them.
/// </summary>
public static class TrainingCheckpoint
{
    public const string MasterWeightsFile = "master_weights.safetensors";
    private const string Format = "dash.master-weights.v1";

    /// <summary>Saves the model directory and, when it rounds any tensor, the exact values of those tensors.</summary>
    public static void Save(CausalLM model, string directory)
    {
        ModelDirectory.Save(model, directory);
        var path = Path.Combine(directory, MasterWeightsFile);
        using var scope = NewDisposeScope();
        var rounded = model.HuggingFaceTensors()
            .Where(p => model.LoadedDtypes.TryGetValue(p.Name, out var saved) && saved != p.Tensor.dtype)
            .Select(p => KeyValuePair.Create(p.Name, p.Tensor))
            .ToList();
        if (rounded.Count == 0)
        {
            File.Delete(path);
            return;
        }
        SafetensorsWriter.Write(path, rounded, new Dictionary<string, string> { ["format"] = Format });
    }

    /// <summary>Loads a directory written by <see cref="Save"/> (or any model directory): its weights, then the exact ones.</summary>
    public static void Load(CausalLM model, string directory)
    {
        ModelDirectory.LoadWeights(model, directory);
        var path = Path.Combine(directory, MasterWeightsFile);
        if (!File.Exists(path)) return;
        using var scope = NewDisposeScope();
        using var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new SafetensorsException(path, null, $"not a master-weights file (format \"{format}\", expected \"{Format}\").");
        foreach (var (name, tensor) in model.HuggingFaceTensors())
        {
            if (file.Tensors.ContainsKey(name)) file.ReadInto(name, tensor);
        }
    }
}
