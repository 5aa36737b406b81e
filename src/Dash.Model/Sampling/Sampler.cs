// Batched autoregressive sampling with a KV cache: left-padded prompts in, completions with log-probs out.
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Sampling;

/// <summary>Where the decode loop keeps its per-token state.</summary>
public enum DecodeLoop
{
    /// <summary><see cref="Host"/> on the CPU, <see cref="Device"/> on a GPU.</summary>
    Auto,

    /// <summary>Tokens are read every step and finished rows leave the batch at once; draws by multinomial (CPU).</summary>
    Host,

    /// <summary>Tokens, log-probs and finished flags stay on the device; the host checks every
    /// <see cref="Sampler.CheckInterval"/> steps; uniforms for the whole generation reach the device in one copy.</summary>
    Device,
}

/// <summary>
/// Generates completions for a batch of prompts with one prefill and one single-token forward per step, each step in
/// its own dispose scope. Consecutive copies of a prompt (the G completions of a group) share one prefill: its KV-cache
/// rows are repeated. Draws come from the <see cref="Generator"/> passed in, so a seeded generator reproduces the
/// same samples (for the same prompts, batch composition and options). Finished sequences leave the batch once a
/// quarter of it has finished (KV cache rows included), so a large batch does not pay for its longest sequence in
/// every row.
/// </summary>
public sealed class Sampler(CausalLM model, DecodeLoop loop = DecodeLoop.Auto)
{
    /// <summary>Steps between the device loop's reads of the finished flags (early exit and compaction).</summary>
    public int CheckInterval { get; init; } = 8;

    /// <summary>Whether runs of equal prompts share one prefill (on by default; off only to measure what it saves).</summary>
    public bool SharePrefixes { get; init; } = true;

    /// <summary>Prompt rows the last <see cref="Sample"/> call ran through the prefill (its distinct prompts).</summary>
    public int PrefilledRows { get; private set; }

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
        var groups = SharePrefixes ? PromptGroups.Of(prompts) : PromptGroups.Unshared(prompts);
        PrefilledRows = groups.Distinct.Count;
        using var batch = new SamplingBatch(groups.Distinct, promptLength, capacity, options.PadId, model.Device);
        using var cache = model.CreateCache(groups.Distinct.Count, capacity);
        var logits = Prefill(batch, cache);
        if (groups.Shared)
        {
            using var rows = tensor(groups.RowOf, device: model.Device);                        // [B] distinct prompt of each row
            cache.KeepRows(rows);
            batch.KeepRows(rows);
            var repeated = logits.index_select(0, rows);
            logits.Dispose();
            logits = repeated;
        }
        var onDevice = loop == DecodeLoop.Device || (loop == DecodeLoop.Auto && model.Device.type != TorchSharp.DeviceType.CPU);
        return onDevice
            ? DeviceLoop(batch, cache, logits, prompts.Count, options, generator)
            : HostLoop(batch, cache, logits, prompts.Count, options, generator);
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

    // Reads every step's tokens on the host; finished rows leave the batch as soon as a quarter has finished.
    private IReadOnlyList<SampledCompletion> HostLoop(SamplingBatch batch, KvCache cache, Tensor logits, int rows,
        SamplingOptions options, Generator? generator)
    {
        var state = new HostCompletions(rows, options);
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
                    Replace(ref logits, logits.index_select(0, keep));
                }
                Replace(ref logits, Decode(batch, cache, tokens, batch.PromptLength + step));
            }
        }
        finally
        {
            logits.Dispose();
        }
        return state.Results();
    }

    // Keeps tokens and finished flags on the device; reads the flags every CheckInterval steps.
    private IReadOnlyList<SampledCompletion> DeviceLoop(SamplingBatch batch, KvCache cache, Tensor logits, int rows,
        SamplingOptions options, Generator? generator)
    {
        using var state = new DeviceCompletions(rows, options, generator, model.Device);
        try
        {
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                using var scope = NewDisposeScope();
                var uniforms = state.Uniforms(step);
                var (tokens, logProbs) = uniforms is null
                    ? TokenPicker.Pick(logits, options, generator: null)
                    : TokenPicker.PickWithUniforms(logits, options, uniforms);
                state.Write(step, tokens, logProbs);
                if (step == options.MaxNewTokens - 1) break;
                if (state.CanFinish && (step + 1) % CheckInterval == 0)
                {
                    if (state.Check(out var kept)) break;
                    if (kept is not null)
                    {
                        using var keep = tensor(kept, device: model.Device);                                 // [R] batch rows
                        cache.KeepRows(keep);
                        batch.KeepRows(keep);
                        state.KeepRows(keep);
                        tokens = tokens.index_select(0, keep);
                        Replace(ref logits, logits.index_select(0, keep));
                    }
                }
                Replace(ref logits, Decode(batch, cache, tokens, batch.PromptLength + step));
            }
        }
        finally
        {
            logits.Dispose();
        }
        return state.Results();
    }

    // Runs the whole left-padded prompt through the model; returns last-position logits [B, V].
    private Tensor Prefill(SamplingBatch batch, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var p = batch.PromptLength;
        var hidden = model.HiddenStates(batch.PromptIds, batch.PromptPositions, batch.MaskUpTo(p), cache);
        var last = hidden.narrow(1, p - 1, 1);                                                  // [B, 1, D]
        return model.Logits(last).squeeze(1).MoveToOuterDisposeScope();                         // [B, V]
    }

    // Feeds tokens [B] at absolute slot `slot`; returns logits [B, V] for the next position.
    private Tensor Decode(SamplingBatch batch, KvCache cache, Tensor tokens, int slot)
    {
        var positions = batch.RealPromptLengths + (slot - batch.PromptLength);                  // [B, 1]
        var logits = model.Forward(tokens.view(-1, 1), positions, batch.MaskUpTo(slot + 1), cache);
        return logits.squeeze(1);
    }

    // Swaps a logits tensor made inside a step scope in for the one held across steps.
    private static void Replace(ref Tensor held, Tensor made)
    {
        var kept = made.MoveToOuterDisposeScope();
        held.Dispose();
        held = kept;
    }
}
