// Micro-batch packing as rows arrive: the same micro-batches as Advantages.PackMicroBatches over all of them, each emitted once full.
using Dash.Actors.Protocol;

namespace Dash.Actors.Algorithm;

/// <summary>
/// Packs rows into micro-batches (at most <paramref name="maxRows"/> rows and <paramref name="maxTokens"/> padded tokens,
/// 0 = rows only) while they arrive, keeping their order. A micro-batch is emitted as soon as no further row could join
/// it, and <see cref="Flush"/> emits the last one: the sequence is exactly <see cref="Advantages.PackMicroBatches"/> of
/// every row at once, however the rows are split into calls.
/// </summary>
public sealed class MicroBatchStream(int maxRows, int maxTokens)
{
    private readonly List<Rollout> _current = [];
    private int _longest;

    /// <summary>Adds rows; returns the micro-batches they completed, in order.</summary>
    public IReadOnlyList<Rollout[]> Add(IEnumerable<Rollout> rows)
    {
        var done = new List<Rollout[]>();
        foreach (var row in rows)
        {
            var len = Length(row);
            var longest = Math.Max(_longest, len);
            if (_current.Count > 0 && (maxTokens > 0 && (_current.Count + 1) * longest > maxTokens))
            {
                done.Add(Close());
                longest = len;
            }
            _current.Add(row);
            _longest = longest;
            // Full: the next row, whatever its length, would start a new micro-batch (PackMicroBatches closes it then).
            if (_current.Count >= maxRows || (maxTokens > 0 && (_current.Count + 1) * _longest > maxTokens)) done.Add(Close());
        }
        return done;
    }

    /// <summary>The last, partly filled micro-batch (null when there is none).</summary>
    public Rollout[]? Flush() => _current.Count > 0 ? Close() : null;

    private Rollout[] Close()
    {
        var batch = _current.ToArray();
        _current.Clear();
        _longest = 0;
        return batch;
    }

    private static int Length(Rollout row) => row.PromptIds.Length + row.CompletionIds.Length;
}
