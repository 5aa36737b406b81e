// A problem source over loaded lists: the training stream cycles through epochs, each shuffled by seed.
using Dash.Tasks.Sampling;

namespace Dash.Tasks.Data;

/// <summary>Serves a loaded dataset through <see cref="IProblemSource"/>: epoch e is the training set shuffled by (seed, e).</summary>
public sealed class DatasetTask : IProblemSource
{
    private readonly IReadOnlyList<Problem> _train;
    private readonly ulong _seed;
    private readonly Lock _gate = new();
    private long _epoch = -1;
    private Problem[] _order = [];

    /// <summary>Creates a source; <paramref name="train"/> must not be empty.</summary>
    public DatasetTask(string name, IReadOnlyList<Problem> train, IReadOnlyList<Problem> heldOut, ulong seed)
    {
        if (train.Count == 0) throw new ArgumentException($"the training set of {name} is empty: it needs at least one problem to train on");
        Name = name;
        _train = train;
        HeldOut = heldOut;
        _seed = seed;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Problem> HeldOut { get; }

    /// <inheritdoc />
    public Problem Train(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var epoch = index / _train.Count;
        lock (_gate)
        {
            if (epoch != _epoch)
            {
                _order = Splits.Shuffle(_train, SplitMix64.Mix(_seed) ^ (ulong)epoch);
                _epoch = epoch;
            }
            return _order[index % _train.Count];
        }
    }
}
