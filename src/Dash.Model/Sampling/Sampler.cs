// Batched autoregressive sampling with a KV cache: left-padded prompts in, completions with log-probs out.
using System.Runtime.InteropServices;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Sampling;

/// <summary>
/// Generates completions for a batch of prompts with one prefill and one single-token forward per step, each step in
/// its own dispose scope. Draws come from the <see cref="Generator"/> passed in, so a seeded generator reproduces
/// the same samples (for the same prompts, batch composition and options). Finished sequences leave the batch once a
/// quarter of it has finished (KV cache rows included), so a large batch does not pay for its longest sequence in
/// every row.
/// </summary>
public sealed class Sampler(CausalLM model)
{
    /// <summary>Samples one completion per prompt, all prompts in one batch.</summary>
    public IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<int[]> prompts, SamplingOptions options, Generator? generator)
    {
        options.Validate();
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("every prompt needs at least one token (e.g. BOS).");
        var promptLength = prompts.Max(p => p.Length);
        var capacity = promptLength + options.MaxNewTokens;
        if (capacity > model.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"prompt length {promptLength} + max new tokens {options.MaxNewTokens} exceeds max_position_embeddings {model.Config.MaxPositionEmbeddings}.");

        using var noGrad = no_grad();
        using var batch = new SamplingBatch(prompts, promptLength, capacity, options.PadId, model.Device);
        using var cache = model.CreateCache(prompts.Count, capacity);
        var state = new CompletionState(prompts.Count, options);

        var logits = Prefill(batch, cache);
        try
        {
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                using var scope = NewDisposeScope();
                var (tokens, logProbs) = TokenPicker.Pick(logits, options, generator);
                if (state.Record(tokens, logProbs) || step == options.MaxNewTokens - 1) break;
                if (state.ShouldCompact)
                {
                    using var keep = tensor(state.Compact(), device: model.Device);                     // [R] batch rows
                    cache.KeepRows(keep);
                    batch.KeepRows(keep);
                    tokens = tokens.index_select(0, keep);
                    var kept = logits.index_select(0, keep).MoveToOuterDisposeScope();
                    logits.Dispose();
                    logits = kept;
                }
                var next = Decode(batch, cache, tokens, promptLength + step).MoveToOuterDisposeScope();
                logits.Dispose();
                logits = next;
            }
        }
        finally
        {
            logits.Dispose();
        }
        return state.Results();
    }

    /// <summary>Samples a long prompt list in consecutive chunks of <paramref name="batchSize"/>, results in prompt order.</summary>
    public IReadOnlyList<SampledCompletion> SampleMany(IReadOnlyList<int[]> prompts, int batchSize, SamplingOptions options, Generator? generator)
    {
        if (batchSize <= 0) throw new ArgumentException($"sampling batch size = {batchSize} must be positive.");
        var results = new List<SampledCompletion>(prompts.Count);
        for (var start = 0; start < prompts.Count; start += batchSize)
        {
            var chunk = prompts.Skip(start).Take(batchSize).ToList();
            results.AddRange(Sample(chunk, options, generator));
        }
        return results;
    }

    // Runs the whole left-padded prompt through the model; returns last-position logits [B, V].
    private Tensor Prefill(SamplingBatch batch, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var p = batch.PromptLength;
        var hidden = model.HiddenStates(batch.PromptIds, batch.PromptPositions, batch.Mask.narrow(1, 0, p), cache);
        var last = hidden.narrow(1, p - 1, 1);                                                  // [B, 1, D]
        return model.Logits(last).squeeze(1).MoveToOuterDisposeScope();                         // [B, V]
    }

    // Feeds tokens [B] at absolute slot `slot`; returns logits [B, V] for the next position.
    private Tensor Decode(SamplingBatch batch, KvCache cache, Tensor tokens, int slot)
    {
        var positions = batch.RealPromptLengths + (slot - batch.PromptLength);                  // [B, 1]
        var logits = model.Forward(tokens.view(-1, 1), positions, batch.Mask.narrow(1, 0, slot + 1), cache);
        return logits.squeeze(1);
    }

    /// <summary>The device-side tensors of one batch: left-padded prompt ids, positions, and the attention mask.</summary>
    private sealed class SamplingBatch : IDisposable
    {
        public SamplingBatch(IReadOnlyList<int[]> prompts, int promptLength, int capacity, int padId, Device device)
        {
            PromptLength = promptLength;
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
        public Tensor PromptIds { get; }          // [B, P]
        public Tensor PromptPositions { get; }    // [B, P]
        public Tensor Mask { get; private set; }  // [B, P + max new], true = real token
        public Tensor RealPromptLengths { get; private set; }  // [B, 1]

        /// <summary>Keeps the given rows of the decode-time tensors (the prompt tensors are no longer used).</summary>
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

    /// <summary>Host-side completions being built: reused buffers, no per-token allocation.</summary>
    private sealed class CompletionState
    {
        private readonly SamplingOptions _options;
        private readonly List<int>[] _tokens;
        private readonly List<float>[] _logProbs;
        private readonly FinishReason?[] _finished;
        private readonly long[] _tokenBuffer;
        private readonly float[] _logProbBuffer;
        private int[] _rows;   // batch row i holds sequence _rows[i]
        private int _open;

        public CompletionState(int batch, SamplingOptions options)
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
}
