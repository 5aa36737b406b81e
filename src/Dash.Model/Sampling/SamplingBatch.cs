// The device-side tensors of one sampling batch: left-padded prompt ids, positions and the attention mask.
using static TorchSharp.torch;

namespace Dash.Model.Sampling;

/// <summary>
/// Left-padded prompt ids and positions [B, P] for the prefill, and the decode-time tensors: the real-token mask
/// [B, P + max new] and each row's prompt length. <see cref="HasPadding"/> is false when every prompt has the same
/// length, so attention needs no padding mask.
/// </summary>
internal sealed class SamplingBatch : IDisposable
{
    public SamplingBatch(IReadOnlyList<int[]> prompts, int promptLength, int capacity, int padId, Device device)
    {
        PromptLength = promptLength;
        HasPadding = prompts.Any(p => p.Length != promptLength);
        var b = prompts.Count;
        var ids = new long[b * promptLength];
        var real = new bool[b * capacity];
        var positions = new long[b * promptLength];
        var lengths = new long[b];
        for (var row = 0; row < b; row++)
        {
            var prompt = prompts[row];
            var offset = promptLength - prompt.Length;
            lengths[row] = prompt.Length;
            for (var j = 0; j < promptLength; j++)
            {
                var inPrompt = j >= offset;
                ids[row * promptLength + j] = inPrompt ? prompt[j - offset] : padId;
                positions[row * promptLength + j] = inPrompt ? j - offset : 0;
                real[row * capacity + j] = inPrompt;
            }
            for (var j = promptLength; j < capacity; j++) real[row * capacity + j] = true;
        }
        PromptIds = tensor(ids, [b, promptLength], device: device);
        PromptPositions = tensor(positions, [b, promptLength], device: device);
        Mask = tensor(real, [b, capacity], device: device);
        RealPromptLengths = tensor(lengths, [b, 1], device: device);
    }

    public int PromptLength { get; }
    public bool HasPadding { get; }
    public Tensor PromptIds { get; }          // [B, P]
    public Tensor PromptPositions { get; }    // [B, P]
    public Tensor Mask { get; private set; }  // [B, P + max new], true = real token
    public Tensor RealPromptLengths { get; private set; }  // [B, 1]

    /// <summary>The real-token mask of the first <paramref name="slots"/> slots [B, slots]; null without padding.</summary>
    public Tensor? MaskUpTo(int slots) => HasPadding ? Mask.narrow(1, 0, slots) : null;

    /// <summary>Keeps the given rows (in that order; a row may repeat) of the decode-time tensors (the prompt tensors
    /// are no longer used).</summary>
    public void KeepRows(Tensor rows)
    {
        var mask = Mask.index_select(0, rows).DetachFromDisposeScope();
        var lengths = RealPromptLengths.index_select(0, rows).DetachFromDisposeScope();
        Mask.Dispose();
        RealPromptLengths.Dispose();
        Mask = mask;
        RealPromptLengths = lengths;
    }

    public void Dispose()
    {
        PromptIds.Dispose();
        PromptPositions.Dispose();
        Mask.Dispose();
        RealPromptLengths.Dispose();
    }
}
