// The one error type for unreadable or mismatched weight files; the message names the file and the tensor.
namespace Dash.Model.Checkpoints;

/// <summary>A safetensors file (or model directory) is malformed or does not fit the model.</summary>
public sealed class SafetensorsException : Exception
{
    public SafetensorsException(string file, string? tensor, string problem)
        : base(tensor is null ? $"{file}: {problem}" : $"{file}: tensor \"{tensor}\": {problem}")
    {
        File = file;
        Tensor = tensor;
    }

    public SafetensorsException(string file, string? tensor, string problem, Exception inner)
        : base(tensor is null ? $"{file}: {problem}" : $"{file}: tensor \"{tensor}\": {problem}", inner)
    {
        File = file;
        Tensor = tensor;
    }

    /// <summary>The file at fault.</summary>
    public string File { get; }

    /// <summary>The tensor at fault, when the problem is specific to one.</summary>
    public string? Tensor { get; }
}
