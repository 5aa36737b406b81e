// AdamW over named parameters with global grad-norm clipping, a schedule, and bit-exact state save/restore.
using System.Globalization;
using Dash.Model.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dash.Model.Optim;

/// <summary>Decoupled-weight-decay Adam settings; <see cref="MaxGradNorm"/> 0 turns clipping off.</summary>
public sealed record AdamWOptions(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8,
    double WeightDecay = 0.0, double MaxGradNorm = 1.0);

/// <summary>What one optimizer step did: the gradient norm before clipping and the learning rate used.</summary>
public readonly record struct OptimizerStep(int Step, double GradNorm, double LearningRate);

/// <summary>
/// PyTorch's AdamW algorithm written out over the parameter tensors, so its whole state (first and second moments,
/// step count; the schedule position is the step count) saves to safetensors bytes and restores bit-exactly.
/// Moments are float32 whatever the parameter dtype. With a <c>layout</c> (a model's
/// <see cref="Transformer.CausalLM.HuggingFaceParts"/>) the state file and the clipping norm see Hugging Face's tensors:
/// moments of a fused parameter are saved as its q/k/v or gate/up parts, so state files do not depend on fusing.
/// </summary>
public sealed class AdamW : IDisposable
{
    private const string Format = "dash.adamw.v1";
    private readonly List<(string Name, Parameter Param, Tensor M, Tensor V)> _state = [];
    private readonly AdamWOptions _options;
    private readonly LearningRateSchedule _schedule;
    private readonly Func<string, Tensor, IEnumerable<(string Name, Tensor Part)>> _layout;

    public AdamW(IEnumerable<(string Name, Parameter Param)> parameters, AdamWOptions options, LearningRateSchedule schedule,
        Func<string, Tensor, IEnumerable<(string Name, Tensor Part)>>? layout = null)
    {
        _options = options;
        _layout = layout ?? ((name, t) => [(name, t)]);
        _schedule = schedule.Validate();
        foreach (var (name, p) in parameters)
        {
            if (!p.requires_grad) continue;
            var m = zeros(p.shape, dtype: ScalarType.Float32, device: p.device).DetachFromDisposeScope();
            var v = zeros(p.shape, dtype: ScalarType.Float32, device: p.device).DetachFromDisposeScope();
            _state.Add((name, p, m, v));
        }
    }

    /// <summary>Optimizer steps taken so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>The learning rate the next step will use.</summary>
    public double NextLearningRate => _schedule.At(StepCount);

    /// <summary>Sets every gradient to zero (gradients stay allocated, so their memory is reused).</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var (_, p, _, _) in _state) p.grad?.zero_();
    }

    /// <summary>Clips the global gradient norm, then applies one AdamW update with the scheduled learning rate.</summary>
    public OptimizerStep Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var norm = ClipGradients();
        var lr = _schedule.At(StepCount);
        StepCount++;
        var (b1, b2) = (_options.Beta1, _options.Beta2);
        var bias1 = 1 - Math.Pow(b1, StepCount);
        var bias2Sqrt = Math.Sqrt(1 - Math.Pow(b2, StepCount));
        foreach (var (_, p, m, v) in _state)
        {
            if (p.grad is null) continue;
            var isFloat = p.dtype == ScalarType.Float32;
            var w = isFloat ? p : p.to_type(ScalarType.Float32);
            var g = p.grad.to_type(ScalarType.Float32);
            if (_options.WeightDecay != 0) w.mul_(1 - lr * _options.WeightDecay);
            m.mul_(b1).add_(g, alpha: 1 - b1);
            v.mul_(b2).addcmul_(g, g, value: 1 - b2);
            var denom = (v.sqrt() / bias2Sqrt).add_(_options.Epsilon);
            w.addcdiv_(m, denom, value: -lr / bias1);
            if (!isFloat) p.copy_(w);
        }
        return new OptimizerStep(StepCount, norm, lr);
    }

    // Scales all gradients by min(1, max_norm / (‖g‖ + 1e-6)); returns ‖g‖ (the global L2 norm before clipping), from
    // one norm per layout part, so fusing does not change its rounding.
    private double ClipGradients()
    {
        var named = _state.Where(s => s.Param.grad is not null).Select(s => (s.Name, Grad: s.Param.grad!)).ToList();
        if (named.Count == 0) return 0;
        var grads = named.Select(g => g.Grad).ToList();
        var norms = stack(named.SelectMany(g => _layout(g.Name, g.Grad)).Select(p => p.Part.to_type(ScalarType.Float32).norm()).ToList());
        var total = norms.norm().item<float>();
        if (_options.MaxGradNorm > 0 && total > _options.MaxGradNorm)
        {
            var coefficient = _options.MaxGradNorm / (total + 1e-6);
            foreach (var g in grads) g.mul_(coefficient);
        }
        return total;
    }

    /// <summary>The complete state as safetensors bytes: moments "m.{name}", "v.{name}" and the step in metadata.</summary>
    public byte[] SaveState()
    {
        using var scope = NewDisposeScope();
        return SafetensorsWriter.ToBytes(StateTensors(), StateMetadata());
    }

    /// <summary>Writes the state to a safetensors file atomically.</summary>
    public void Save(string path)
    {
        using var scope = NewDisposeScope();
        SafetensorsWriter.Write(path, StateTensors(), StateMetadata());
    }

    /// <summary>Restores a state saved by <see cref="SaveState"/> for the same parameters.</summary>
    public void LoadState(byte[] bytes, string label = "optimizer state")
    {
        using var file = SafetensorsFile.Open(new MemoryStream(bytes, writable: false), label);
        Load(file);
    }

    /// <summary>Restores a state file written by <see cref="Save"/>.</summary>
    public void Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        Load(file);
    }

    private void Load(SafetensorsFile file)
    {
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new SafetensorsException(file.Path, null, $"not an AdamW state file (format \"{format}\", expected \"{Format}\").");
        if (!file.Metadata.TryGetValue("step", out var stepText) ||
            !int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out var step))
            throw new SafetensorsException(file.Path, null, "metadata \"step\" is missing or not a number.");
        using var scope = NewDisposeScope();
        var moments = StateTensors().ToList();
        var expected = moments.Select(kv => kv.Key).ToHashSet();
        var extra = file.Tensors.Keys.FirstOrDefault(k => !expected.Contains(k));
        if (extra is not null) throw new SafetensorsException(file.Path, extra, "unexpected: the optimizer has no such parameter.");
        foreach (var (name, moment) in moments) file.ReadInto(name, moment);
        StepCount = step;
    }

    // Views of fused moments belong to the caller's dispose scope.
    private IEnumerable<KeyValuePair<string, Tensor>> StateTensors() =>
        _state.SelectMany(s => _layout(s.Name, s.M).Select(p => KeyValuePair.Create($"m.{p.Name}", p.Part))
            .Concat(_layout(s.Name, s.V).Select(p => KeyValuePair.Create($"v.{p.Name}", p.Part))));

    private Dictionary<string, string> StateMetadata() => new()
    {
        ["format"] = Format,
        ["step"] = StepCount.ToString(CultureInfo.InvariantCulture),
    };

    public void Dispose()
    {
        foreach (var (_, _, m, v) in _state)
        {
            m.Dispose();
            v.Dispose();
        }
    }
}
