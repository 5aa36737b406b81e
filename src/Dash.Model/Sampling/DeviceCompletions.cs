// Completions built on the device: tokens, log-probs and finished flags never leave it until a check or the end.
using static TorchSharp.torch;

namespace Dash.Model.Sampling;

/// <summary>
/// The sampler's state for a GPU: every step's tokens and log-probs are written into [max new, B] buffers on the
/// device, indexed by each batch row's original sequence, and finished flags are updated there too. The host reads
/// only the finished flags (B bools) at checks, and everything once at the end. The whole generation's uniforms are
/// drawn up front, [max new, B] (one copy to the device); sequence r's draw at step s is u[s, r] whatever the batch
/// composition, so when the host checks and compacts does not change any token.
/// </summary>
internal sealed class DeviceCompletions : IDisposable
{
    private readonly SamplingOptions _options;
    private readonly Tensor _tokens;       // [N, B] int64, N = max new tokens, B = sequences
    private readonly Tensor _logProbs;     // [N, B] float32
    private readonly Tensor? _stopIds;     // [S] int64: EOS and stop ids (null when there are none)
    private Tensor _rows;                  // [R] int64: batch row i holds sequence _rows[i]
    private Tensor _finished;              // [R] bool
    private Tensor? _uniforms;             // [N, R] float32 on the device; null when greedy
    private int _steps;

    public DeviceCompletions(int batch, SamplingOptions options, Generator? generator, Device device)
    {
        _options = options;
        var n = options.MaxNewTokens;
        _tokens = zeros([n, batch], dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
        _logProbs = zeros([n, batch], dtype: ScalarType.Float32, device: device).DetachFromDisposeScope();
        long[] stops = [.. options.EosIds.Concat(options.StopIds).Select(id => (long)id)];
        _stopIds = stops.Length > 0 ? tensor(stops, device: device).DetachFromDisposeScope() : null;
        _rows = arange(batch, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
        _finished = zeros(batch, dtype: ScalarType.Bool, device: device).DetachFromDisposeScope();
        if (options.Temperature > 0)
        {
            using var drawn = rand([n, batch], generator: generator);                        // on the CPU
            _uniforms = drawn.to(device).DetachFromDisposeScope();
        }
    }

    /// <summary>True when some token ends a sequence (otherwise checks cannot find anything finished).</summary>
    public bool CanFinish => _stopIds is not null;

    /// <summary>This step's uniforms [R, 1] for the current rows; null when greedy.</summary>
    public Tensor? Uniforms(int step) => _uniforms?.select(0, step).unsqueeze(1);

    /// <summary>Stores step <paramref name="step"/>'s tokens [R] and log-probs [R] and marks rows that drew a stop token.</summary>
    public void Write(int step, Tensor tokens, Tensor logProbs)
    {
        using var scope = NewDisposeScope();
        _tokens.select(0, step).index_copy_(0, _rows, tokens);
        _logProbs.select(0, step).index_copy_(0, _rows, logProbs);
        if (_stopIds is not null) _finished.logical_or_(tokens.unsqueeze(1).eq(_stopIds).any(1));
        _steps = step + 1;
    }

    /// <summary>Reads the finished flags (one small device→host copy): true when every sequence has finished;
    /// otherwise <paramref name="keep"/> gets the rows to keep when at least a quarter of the batch has finished.</summary>
    public bool Check(out long[]? keep)
    {
        keep = null;
        using var cpu = _finished.cpu();
        var finished = cpu.data<bool>().ToArray();
        var open = finished.Count(f => !f);
        if (open == 0) return true;
        if (finished.Length - open >= Math.Max(1, finished.Length / 4))
            keep = [.. Enumerable.Range(0, finished.Length).Where(i => !finished[i]).Select(i => (long)i)];
        return false;
    }

    /// <summary>Keeps the given batch rows [R'] (in that order).</summary>
    public void KeepRows(Tensor keep)
    {
        Replace(ref _rows, _rows.index_select(0, keep));
        Replace(ref _finished, _finished.index_select(0, keep));
        if (_uniforms is not null) Replace(ref _uniforms, _uniforms.index_select(1, keep));
    }

    /// <summary>Copies tokens and log-probs to the host once and cuts every sequence after its first EOS/stop token.</summary>
    public IReadOnlyList<SampledCompletion> Results()
    {
        using var scope = NewDisposeScope();
        var steps = Math.Max(1, _steps);
        var batch = (int)_tokens.shape[1];
        var tokens = _tokens.narrow(0, 0, steps).t().contiguous().cpu().data<long>().ToArray();       // [B, steps]
        var logProbs = _logProbs.narrow(0, 0, steps).t().contiguous().cpu().data<float>().ToArray();
        var results = new SampledCompletion[batch];
        for (var row = 0; row < batch; row++)
        {
            var length = _steps;
            var reason = FinishReason.Length;
            for (var j = 0; j < _steps; j++)
            {
                var token = (int)tokens[row * steps + j];
                FinishReason? stop = _options.EosIds.Contains(token) ? FinishReason.Eos
                    : _options.StopIds.Contains(token) ? FinishReason.Stop : null;
                if (stop is null) continue;
                (length, reason) = (j + 1, stop.Value);
                break;
            }
            var ids = new int[length];
            for (var j = 0; j < length; j++) ids[j] = (int)tokens[row * steps + j];
            results[row] = new SampledCompletion(ids, logProbs.AsSpan(row * steps, length).ToArray(), reason);
        }
        return results;
    }

    public void Dispose()
    {
        _tokens.Dispose();
        _logProbs.Dispose();
        _stopIds?.Dispose();
        _rows.Dispose();
        _finished.Dispose();
        _uniforms?.Dispose();
    }

    private static void Replace(ref Tensor field, Tensor value)
    {
        var kept = value.DetachFromDisposeScope();
        field.Dispose();
        field = kept;
    }
}
