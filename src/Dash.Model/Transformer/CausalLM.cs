// The whole causal language model (Llama / Qwen2): backbone + LM head, with Hugging Face state_dict names.
using Dash.Model.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// A Llama/Qwen2 causal LM. Its parameters carry Hugging Face's names (<c>model.embed_tokens.weight</c>,
/// <c>model.layers.{i}.self_attn.o_proj.weight</c>, …, <c>lm_head.weight</c> only when embeddings are untied), except
/// that by default q/k/v and gate/up are fused (<c>self_attn.qkv_proj</c>, <c>mlp.gate_up_proj</c>: one GEMM each);
/// <see cref="HuggingFaceTensors"/> always gives Hugging Face's tensors, which is what checkpoints load and save.
/// All tensors it creates live on the device of its parameters.
/// </summary>
public sealed class CausalLM : nn.Module
{
    private readonly Backbone model;
    private readonly TorchSharp.Modules.Linear? lm_head;
    private readonly RotaryEmbedding _rope;

    /// <param name="fused">Fused q/k/v and gate/up projections (the default); false keeps Hugging Face's separate ones.</param>
    public CausalLM(ModelConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32, bool fused = true) : base(nameof(CausalLM))
    {
        Config = config.Validate();
        Fused = fused;
        device ??= CPU;
        model = new Backbone(config, device, dtype, fused);
        if (!config.TieWordEmbeddings)
            lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, device: device, dtype: dtype);
        _rope = new RotaryEmbedding(config.HeadDim, config.MaxPositionEmbeddings, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    public ModelConfig Config { get; }

    /// <summary>Whether q/k/v and gate/up are fused parameters (see <see cref="FusedProjections"/>).</summary>
    public bool Fused { get; }

    /// <summary>
    /// The safetensors dtype each Hugging Face tensor had in the directory the weights were loaded from (empty when they
    /// were not loaded); <see cref="Checkpoints.ModelDirectory.Save"/> writes them back in it.
    /// </summary>
    public IReadOnlyDictionary<string, ScalarType> LoadedDtypes { get; internal set; } = new Dictionary<string, ScalarType>();

    /// <summary>
    /// Every parameter as Hugging Face names and shapes it, in parameter order: fused parameters give views of their
    /// rows (dispose them, e.g. inside a dispose scope; writes go to the parameter).
    /// </summary>
    public IEnumerable<(string Name, Tensor Tensor)> HuggingFaceTensors() =>
        named_parameters().SelectMany(p => HuggingFaceParts(p.name, p.parameter));

    /// <summary>The Hugging Face tensors inside the model tensor <paramref name="name"/> (or anything shaped like it:
    /// its gradient, an optimizer moment); see <see cref="FusedProjections.Split"/>.</summary>
    public IEnumerable<(string Name, Tensor Part)> HuggingFaceParts(string name, Tensor tensor) =>
        FusedProjections.Split(name, tensor, Config);

    /// <summary>How many times the rotary tables were computed (see <see cref="RotaryEmbedding.TableBuilds"/>).</summary>
    internal int RotaryTableBuilds => _rope.TableBuilds;

    /// <summary>The device of the model's parameters (where every tensor it creates is placed).</summary>
    public Device Device => model.EmbeddingWeight.device;

    /// <summary>The dtype of the model's parameters.</summary>
    public ScalarType Dtype => model.EmbeddingWeight.dtype;

    /// <summary>Hugging Face's initialisation: normal(0, 0.02) for projections and embeddings, ones for norms,
    /// zeros for biases; drawn from <paramref name="generator"/> (a CPU generator: TorchSharp makes no other) so a seed
    /// fixes the weights. On a GPU the values are drawn on the CPU and copied, so they equal the CPU model's; in
    /// bfloat16 they are drawn in float32 and rounded, so they equal the float32 model's weights rounded.
    /// Draws go in Hugging Face's tensor order, so a fused model gets the unfused model's weights.</summary>
    public void InitializeWeights(Generator generator)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, p) in HuggingFaceTensors())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) p.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else if (p.device.type == DeviceType.CPU && p.dtype == ScalarType.Float32) p.normal_(0.0, 0.02, generator);
            else
            {
                using var drawn = empty(p.shape, ScalarType.Float32).normal_(0.0, 0.02, generator);
                p.copy_(drawn);
            }
        }
    }

    /// <summary>A KV cache for <paramref name="batch"/> sequences of up to <paramref name="capacity"/> positions.</summary>
    public KvCache CreateCache(long batch, int capacity) =>
        new(Config.NumHiddenLayers, batch, Config.NumKeyValueHeads, capacity, Config.HeadDim, Device, Dtype);

    /// <summary>
    /// Logits [B, T, V] for input ids [B, T] at position ids [B, T]. <paramref name="attentionMask"/> [B, S] marks real
    /// tokens (non-zero / true) among the S = cached + T positions; null means all real. With a cache, the new keys
    /// and values are appended to it.
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor positionIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        return Logits(HiddenStates(inputIds, positionIds, attentionMask, cache)).MoveToOuterDisposeScope();
    }

    /// <summary>Final hidden states [B, T, D] (the forward pass without the LM head); arguments as <see cref="Forward"/>.</summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor positionIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (inputIds.shape[0], (int)inputIds.shape[1]);
        var past = cache?.Length ?? 0;
        if (positionIds.shape[0] != b || positionIds.shape[1] != t)
            throw new ArgumentException($"position ids {Shape(positionIds)} must match input ids {Shape(inputIds)}.");
        if (attentionMask is not null && (attentionMask.shape[0] != b || attentionMask.shape[1] != past + t))
            throw new ArgumentException($"attention mask {Shape(attentionMask)} must be [{b}, {past + t}] (cached + new positions).");

        var (cos, sin) = _rope.At(positionIds, Dtype);
        var mask = MaskFor(b, t, past, attentionMask, Config.NumAttentionHeads / Config.NumKeyValueHeads);
        var hidden = model.Forward(inputIds, cos, sin, mask, cache);
        cache?.Advance(t);
        return hidden.MoveToOuterDisposeScope();
    }

    /// <summary>hidden [B, T, D] → logits [B, T, V] through lm_head (or the tied embedding matrix).</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is not null ? lm_head.forward(hidden) : nn.functional.linear(hidden, model.EmbeddingWeight);

    /// <summary>
    /// What attention needs for T queries after <paramref name="past"/> cached positions. Without padding: nothing for a
    /// single query (it sees every key), the kernel's causal flag for a whole sequence without a cache when heads are
    /// not grouped; otherwise a boolean mask [B, 1, G·T, S] (True = attend): query i (absolute slot past + i) sees key
    /// slots ≤ past + i that are real tokens, and always itself (so padding rows stay finite); rows repeat G times for
    /// folded GQA heads.
    /// </summary>
    private AttentionMask MaskFor(long b, int t, int past, Tensor? attentionMask, int group)
    {
        if (attentionMask is null && t == 1) return AttentionMask.None;
        if (attentionMask is null && past == 0 && group == 1) return AttentionMask.Causal;
        var s = past + t;
        if (t == 1 && attentionMask is not null)
        {
            // One new token sees every real key; its own slot always counts as real. Its mask is the real-token mask
            // with the last slot set, shared by the G folded query rows (expand: a view, no copy).
            var visible = attentionMask.to_type(ScalarType.Bool).reshape(b, 1, 1, s).clone();
            using (var self = visible.narrow(-1, s - 1, 1)) self.fill_(true);
            var keyMask = visible.view(b, s);
            if (group == 1) return new AttentionMask(visible, false, keyMask);
            return new AttentionMask(visible.expand(b, 1, group, s), false, keyMask);
        }
        var device = Device;
        using var keys = arange(s, dtype: ScalarType.Int64, device: device).unsqueeze(0);           // [1, S]
        using var queries = arange(past, s, dtype: ScalarType.Int64, device: device).unsqueeze(1);  // [T, 1]
        using var causal = keys.le(queries);                                                         // [T, S]
        Tensor mask;
        if (attentionMask is null)
        {
            mask = causal.view(1, 1, t, s).expand(b, 1, t, s);
        }
        else
        {
            using var real = attentionMask.to_type(ScalarType.Bool).reshape(b, 1, 1, s);
            using var self = keys.eq(queries);
            using var visible = causal.logical_and(real);
            mask = visible.logical_or(self);                                                          // [B, 1, T, S]
        }
        if (group == 1) return new AttentionMask(mask, false);
        using (mask) return new AttentionMask(mask.repeat(1, 1, group, 1), false);
    }

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rope.Dispose();
        base.Dispose(disposing);
    }
}
