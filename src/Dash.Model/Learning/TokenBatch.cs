// Builds the learner's tensors from (prompt ids, completion ids) rows: prompts left-padded, completions right-padded.
using static TorchSharp.torch;

namespace Dash.Model.Learning;

/// <summary>One training row: the prompt's token ids and the sampled (or reference) completion's token ids.</summary>
public sealed record TokenRow(int[] PromptIds, int[] CompletionIds);

/// <summary>
/// A batch laid out like the sampler lays it out: every prompt right-aligned to P columns, every completion starting
/// at column P, so completion token j of every row sits at column P + j and is predicted by the logits at P + j − 1.
/// </summary>
public sealed class TokenBatch : IDisposable
{
    private TokenBatch(int rows, int promptLength, int completionLength, Tensor inputIds, Tensor positionIds,
        Tensor attentionMask, Tensor targets, Tensor completionMask)
    {
        Rows = rows;
        PromptLength = promptLength;
        CompletionLength = completionLength;
        InputIds = inputIds;
        PositionIds = positionIds;
        AttentionMask = attentionMask;
        Targets = targets;
        CompletionMask = completionMask;
    }

    public int Rows { get; }

    /// <summary>P: the longest prompt; shorter prompts are left-padded.</summary>
    public int PromptLength { get; }

    /// <summary>C: the completion columns (the longest completion unless a longer length was asked for).</summary>
    public int CompletionLength { get; }

    public Tensor InputIds { get; }        // [B, P + C] int64
    public Tensor PositionIds { get; }     // [B, P + C] int64, 0 at each row's first real token
    public Tensor AttentionMask { get; }   // [B, P + C] bool, true = real token
    public Tensor Targets { get; }         // [B, C] int64, completion token ids (pad beyond each row's end)
    public Tensor CompletionMask { get; }  // [B, C] float32, 1 on real completion tokens

    /// <summary>
    /// Builds the batch on <paramref name="device"/>. <paramref name="completionLength"/> widens C beyond the longest
    /// completion (useful to give micro-batches the same shape); it may not be shorter.
    /// </summary>
    public static TokenBatch Build(IReadOnlyList<TokenRow> rows, int padId, Device? device = null, int? completionLength = null)
    {
        if (rows.Count == 0) throw new ArgumentException("a token batch needs at least one row.");
        if (rows.Any(r => r.PromptIds.Length == 0)) throw new ArgumentException("every row needs at least one prompt token.");
        var p = rows.Max(r => r.PromptIds.Length);
        var longest = rows.Max(r => r.CompletionIds.Length);
        var c = completionLength ?? longest;
        if (c < longest || c == 0) throw new ArgumentException($"completion length {c} must be positive and at least the longest completion ({longest}).");
        var b = rows.Count;
        var t = p + c;
        var ids = new long[b * t];
        var positions = new long[b * t];
        var real = new bool[b * t];
        var targets = new long[b * c];
        var mask = new float[b * c];
        for (var row = 0; row < b; row++)
        {
            var (prompt, completion) = (rows[row].PromptIds, rows[row].CompletionIds);
            var offset = p - prompt.Length;
            for (var j = 0; j < t; j++)
            {
                var k = row * t + j;
                int? token = j < offset ? null
                    : j < p ? prompt[j - offset]
                    : j - p < completion.Length ? completion[j - p]
                    : null;
                ids[k] = token ?? padId;
                real[k] = token is not null;
                positions[k] = token is null ? 0 : j - offset;
            }
            for (var j = 0; j < c; j++)
            {
                targets[row * c + j] = j < completion.Length ? completion[j] : padId;
                mask[row * c + j] = j < completion.Length ? 1f : 0f;
            }
        }
        device ??= CPU;
        return new TokenBatch(b, p, c,
            tensor(ids, [b, t], device: device), tensor(positions, [b, t], device: device), tensor(real, [b, t], device: device),
            tensor(targets, [b, c], device: device), tensor(mask, [b, c], device: device));
    }

    public void Dispose()
    {
        InputIds.Dispose();
        PositionIds.Dispose();
        AttentionMask.Dispose();
        Targets.Dispose();
        CompletionMask.Dispose();
    }
}
