// Upper-bound estimates of what each model-owning actor keeps on its device: weights, optimizer, gradients, caches, activations.
using Dash.Actors.Settings;
using Dash.Model.Checkpoints;
using Dash.Model.Config;

namespace Dash.Actors.Engines.Torch;

/// <summary>One part of an actor's memory, and the settings that shrink it.</summary>
public sealed record MemoryPart(string Name, long Bytes, string Lower);

/// <summary>An actor's estimated memory on its device.</summary>
public sealed record MemoryNeed(ActorDevice Actor, IReadOnlyList<MemoryPart> Parts)
{
    public long Bytes => Parts.Sum(p => p.Bytes);
}

/// <summary>
/// The sizes Dash allocates, as pure functions of the model config and the batch settings. P = parameters, b = bytes per
/// value of the compute dtype (4 float32, 2 bfloat16), L layers, D hidden, I FFN width, H heads, K·d the key/value width,
/// V vocabulary, Tp the prompt and C the completion tokens, T = Tp + C.
/// </summary>
public static class MemoryEstimate
{
    private const string Dtype = "dash.model.dtype = bfloat16";
    private const string SamplingBatch = "dash.sampling.batch-size";
    private const string Length = "dash.sampling.max-new-tokens";
    private const string MicroBatch = "dash.learning.micro-batch-size";
    private const string OtherDevice = "a device with more free memory (dash.learning.device)";

    /// <summary>Parameters of a model of this config (every tensor of its state dict).</summary>
    public static long Parameters(ModelConfig c) => ModelDirectory.ExpectedShapes(c).Values.Sum(s => s.Aggregate(1L, (a, x) => a * x));

    /// <summary>
    /// A sampler: weights P·b; KV cache 2·L·B·T·K·d·b for a batch of B completions; sampling buffers: one layer's prefill
    /// activations B·Tp·(4D + 2I)·b and attention scores B·H·Tp²·b, plus 3·B·V float32 logits per decode step.
    /// </summary>
    public static IReadOnlyList<MemoryPart> Sampler(ModelConfig c, int b, int batch, int promptTokens, int newTokens)
    {
        long bsz = batch, tp = promptTokens, t = promptTokens + newTokens;
        return
        [
            new("weights", Parameters(c) * b, Dtype),
            new("KV cache", 2L * c.NumHiddenLayers * bsz * t * c.NumKeyValueHeads * c.HeadDim * b, $"{SamplingBatch} or {Length}"),
            new("sampling buffers", bsz * tp * (4L * c.HiddenSize + 2L * c.IntermediateSize) * b + bsz * c.NumAttentionHeads * tp * tp * b + 3 * bsz * c.VocabSize * 4,
                SamplingBatch),
        ];
    }

    /// <summary>
    /// The learner: float32 master weights 4P (+ a bfloat16 compute replica 2P), gradients 4P (+ 2P), AdamW's two float32
    /// moments 8P; activations kept for backward over a micro-batch of m rows: L·m·T·(8D + 2K·d + 4I)·b, attention
    /// scores and probabilities 2·L·m·H·T²·b, and the completion logits m·C·V·(b + 12).
    /// </summary>
    public static IReadOnlyList<MemoryPart> Learner(ModelConfig c, bool bfloat16, int microBatch, int promptTokens, int newTokens)
    {
        var p = Parameters(c);
        var b = bfloat16 ? 2 : 4;
        long m = microBatch, t = promptTokens + newTokens, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        var activations = c.NumHiddenLayers * m * t * (8L * c.HiddenSize + 2 * kv + 4L * c.IntermediateSize) * b
                          + 2L * c.NumHiddenLayers * m * c.NumAttentionHeads * t * t * b
                          + m * newTokens * c.VocabSize * (b + 12L);
        return
        [
            new("master weights", 4 * p + (bfloat16 ? 2 * p : 0), OtherDevice),
            new("gradients", 4 * p + (bfloat16 ? 2 * p : 0), OtherDevice),
            new("AdamW state", 8 * p, OtherDevice),
            new("activations", activations, $"{MicroBatch}, {Length} or {Dtype}"),
        ];
    }

    /// <summary>The frozen KL reference: weights P·b and one no-grad forward over a micro-batch (one layer's activations and the logits).</summary>
    public static IReadOnlyList<MemoryPart> Reference(ModelConfig c, int b, int microBatch, int promptTokens, int newTokens)
    {
        long m = microBatch, t = promptTokens + newTokens;
        return
        [
            new("reference weights", Parameters(c) * b, "a device of its own (dash.learning.reference-device)"),
            new("reference forward", m * t * (4L * c.HiddenSize + 2L * c.IntermediateSize) * b + m * c.NumAttentionHeads * t * t * b + m * newTokens * c.VocabSize * (b + 4L),
                MicroBatch),
        ];
    }

    /// <summary>Every placed actor's estimate at the run's batch sizes and lengths.</summary>
    public static IReadOnlyList<MemoryNeed> For(DevicePlacement placement, DashSettings s, ModelConfig c)
    {
        var bf16 = s.Model.Dtype == "bfloat16";
        var b = bf16 ? 2 : 4;
        var (tp, tc) = (s.Task.MaxPromptTokens, s.Sampling.MaxNewTokens);
        return [.. placement.Actors.Select(a => new MemoryNeed(a, a.Actor switch
        {
            "learner" => Learner(c, bf16, s.Learning.MicroBatchSize, tp, tc),
            "reference" => Reference(c, b, s.Learning.MicroBatchSize, tp, tc),
            _ => Sampler(c, b, s.Sampling.BatchSize, tp, tc),
        }))];
    }
}
