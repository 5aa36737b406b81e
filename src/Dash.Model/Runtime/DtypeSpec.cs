// Parses the `dtype` setting (float32, bfloat16): the dtype of model weights, activations and KV caches.
using static TorchSharp.torch;

namespace Dash.Model.Runtime;

/// <summary>The compute dtypes Dash runs models in, named as Hugging Face's <c>torch_dtype</c> names them.</summary>
public static class DtypeSpec
{
    public static readonly string[] Names = ["float32", "bfloat16"];

    /// <summary>Parses a dtype name; <paramref name="key"/> names the setting in error messages.</summary>
    public static ScalarType Parse(string text, string key = "dtype") => text.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"{key} = \"{text}\" is not a supported dtype: use float32 or bfloat16."),
    };
}
