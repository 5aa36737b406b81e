// Completions built on the host step by step: the sampler's loop on the CPU, where reading a tensor is a memcpy.
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Dash.Model.Sampling;

/// <summary>Host-side completions being built: reused buffers, no per-token allocation.</summary>
internal sealed class HostCompletions
{
    private readonly SamplingOptions _options;
    private readonly List<int>[] _tokens;
    private readonly List<float>[] _logProbs;
    private readonly FinishReason?[] _finished;
    private readonly long[] _tokenBuffer;
    private readonly float[] _logProbBuffer;
    private int[] _rows;   // batch row i holds sequence _rows[i]
    private int _open;

    public HostCompletions(int batch, SamplingOptions options)
    {
        _options = options;
        _tokens = [.. Enumerable.Range(0, batch).Select(_ => new List<int>(options.MaxNewTokens))];
        _logProbs = [.. Enumerable.Range(0, batch).Select(_ => new List<float>(options.MaxNewTokens))];
        _finished = new FinishReason?[batch];
        _tokenBuffer = new long[batch];
        _logProbBuffer = new float[batch];
        _rows = [.. Enumerable.Range(0, batch)];
        _open = batch;
    }

    /// <summary>True when at least a quarter of the current batch rows hold finished sequences.</summary>
    public bool ShouldCompact => _rows.Length - _open >= Math.Max(1, _rows.Length / 4) && _open > 0;

    /// <summary>Drops finished sequences from the batch; returns the batch rows to keep, in order.</summary>
    public long[] Compact()
    {
        var keep = new List<long>(_open);
        var rows = new List<int>(_open);
        for (var i = 0; i < _rows.Length; i++)
        {
            if (_finished[_rows[i]] is not null) continue;
            keep.Add(i);
            rows.Add(_rows[i]);
        }
        _rows = [.. rows];
        return [.. keep];
    }

    /// <summary>Appends this step's tokens to the open sequences; true when every sequence has finished.</summary>
    public bool Record(Tensor tokens, Tensor logProbs)
    {
        CopyOut(tokens, MemoryMarshal.AsBytes(_tokenBuffer.AsSpan(0, _rows.Length)));
        CopyOut(logProbs, MemoryMarshal.AsBytes(_logProbBuffer.AsSpan(0, _rows.Length)));
        for (var i = 0; i < _rows.Length; i++)
        {
            var row = _rows[i];
            if (_finished[row] is not null) continue;
            var token = (int)_tokenBuffer[i];
            _tokens[row].Add(token);
            _logProbs[row].Add(_logProbBuffer[i]);
            var reason = _options.EosIds.Contains(token) ? FinishReason.Eos
                : _options.StopIds.Contains(token) ? FinishReason.Stop
                : (FinishReason?)null;
            if (reason is null) continue;
            _finished[row] = reason;
            _open--;
        }
        return _open == 0;
    }

    public IReadOnlyList<SampledCompletion> Results() =>
    [
        .. _finished.Select((reason, row) =>
            new SampledCompletion([.. _tokens[row]], [.. _logProbs[row]], reason ?? FinishReason.Length)),
    ];

    private static void CopyOut(Tensor t, Span<byte> target)
    {
        if (t.device_type == TorchSharp.DeviceType.CPU && t.is_contiguous())
        {
            t.bytes.CopyTo(target);
            return;
        }
        using var cpu = t.cpu().contiguous();
        cpu.bytes.CopyTo(target);
    }
}
