// The learner engine: policy model, AdamW, optional frozen reference; GRPO/PPO/SFT losses over micro-batches.
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Model.Checkpoints;
using Dash.Model.Learning;
using Dash.Model.Optim;
using Dash.Model.Parameters;
using Dash.Model.Transformer;
using static TorchSharp.torch;
using ModelAggregation = Dash.Model.Learning.LossAggregation;

namespace Dash.Actors.Engines.Torch;

public sealed class TorchPolicyLearner : IPolicyLearner
{
    public const string OptimizerFile = "optimizer.safetensors";

    private readonly PolicyModels _models;
    private readonly CausalLM _model;      // float32 master weights: stepped, saved, broadcast
    private readonly CausalLM _compute;    // runs forward/backward: _model itself, or its bfloat16 replica
    private readonly MixedPrecision? _mixed;
    private readonly CausalLM? _reference;
    private readonly FlatParameters _flat;
    private readonly AdamW _optimizer;
    private readonly LearningSettings _learning;
    private readonly float _temperature;
    private readonly int _padId;
    private readonly int _maxNewTokens;

    /// <param name="totalOptimizerSteps">Optimizer steps of the whole run (the linear schedule decays to 0 over them).</param>
    /// <param name="device">The learner's device (default: dash.model.device).</param>
    /// <param name="referenceDevice">The frozen KL reference's device (default: the learner's).</param>
    public TorchPolicyLearner(PolicyModels models, LearningSettings learning, SamplerSettings sampling, int totalOptimizerSteps,
        ActorDevice? device = null, ActorDevice? referenceDevice = null)
    {
        _models = models;
        _learning = learning;
        _temperature = sampling.Temperature > 0 ? sampling.Temperature : 1f;
        _maxNewTokens = sampling.MaxNewTokens;
        _padId = models.Tokenizer.PadId;
        _model = models.Create(ScalarType.Float32, device);
        _model.train();
        if (models.Dtype != ScalarType.Float32)
        {
            _compute = models.Create(on: device);
            _compute.train();
            _mixed = new MixedPrecision(_model, _compute);
        }
        else
        {
            _compute = _model;
        }
        if (learning.KlBeta > 0 && learning.Mode == LearningMode.Rl)
        {
            _reference = models.Create(on: referenceDevice ?? device); // Same initial weights, in the compute dtype: frozen.
            _reference.eval();
            foreach (var p in _reference.parameters()) p.requires_grad = false;
        }
        _flat = new FlatParameters(_model.parameters());
        var schedule = new LearningRateSchedule(
            learning.LearningRate, learning.LrSchedule == "linear" ? ScheduleKind.Linear : ScheduleKind.Constant,
            learning.LrWarmupSteps, Math.Max(learning.LrWarmupSteps + 1, totalOptimizerSteps)).Validate();
        _optimizer = new AdamW(_model.named_parameters().Select(p => (p.name, p.parameter)),
            new AdamWOptions(WeightDecay: learning.WeightDecay, MaxGradNorm: learning.MaxGradNorm), schedule, _model.HuggingFaceParts);
        AllocateGradients();
    }

    /// <summary>
    /// Gives every trainable parameter a zero gradient up front. AdamW skips parameters without one, so otherwise a step
    /// with nothing to learn from moved the weights (momentum) in a process that had run a backward pass but not in one
    /// just resumed from a checkpoint: a resumed run would drift from the one that never stopped.
    /// </summary>
    private void AllocateGradients()
    {
        using var scope = NewDisposeScope();
        var trainable = _model.parameters().Where(p => p.requires_grad).ToArray();
        if (trainable.Length == 0) return;
        (stack(trainable.Select(p => p.sum()).ToArray()).sum() * 0).backward();
    }

    public int ParameterCount => checked((int)_flat.Count);

    public long Version => _optimizer.StepCount;

    public void CopyWeights(Span<float> destination) => _flat.CopyWeightsTo(destination);

    /// <summary>Copies the accumulated gradients (state-dict order) into <paramref name="destination"/>.</summary>
    public void CopyGradients(Span<float> destination) => _flat.CopyGradientsTo(destination);

    public float[][] LogProbs(IReadOnlyList<Rollout> rows)
    {
        var result = new float[rows.Count][];
        using var noGrad = no_grad();
        foreach (var chunk in Enumerable.Range(0, rows.Count).Chunk(Math.Max(1, _learning.MicroBatchSize)))
        {
            using var scope = NewDisposeScope();
            using var batch = Build(chunk.Select(i => rows[i]).ToArray());
            var logp = CompletionLogProbs.Compute(_compute, batch, _temperature).cpu();
            for (var k = 0; k < chunk.Length; k++)
            {
                var n = rows[chunk[k]].CompletionIds.Length;
                result[chunk[k]] = logp[k].narrow(0, 0, n).data<float>().ToArray();
            }
        }
        return result;
    }

    public AccumulateStats Accumulate(IReadOnlyList<Rollout> rows, int normalizerRows, long normalizerTokens)
    {
        if (rows.Count == 0) return new AccumulateStats(0, 0, 0, 0);
        using var scope = NewDisposeScope();
        using var batch = Build(rows);
        var scale = new LossScale(normalizerRows, _maxNewTokens, normalizerTokens);
        var mode = _learning.Aggregation switch
        {
            Settings.LossAggregation.TokenMean => ModelAggregation.TokenMean,
            Settings.LossAggregation.SequenceMean => ModelAggregation.SequenceMean,
            _ => ModelAggregation.DrGrpo,
        };
        var logp = CompletionLogProbs.Compute(_compute, batch, _temperature);                     // [B, C]
        Tensor loss;
        double kl = 0;
        if (_learning.Mode == LearningMode.Sft)
        {
            loss = PolicyLoss.Aggregate(PolicyLoss.CrossEntropy(logp), batch.CompletionMask, mode, scale);
        }
        else
        {
            var old = rows.All(r => r.OldLogProbs.Length == r.CompletionIds.Length)
                ? Padded(rows.Select(r => r.OldLogProbs).ToArray(), batch.CompletionLength)
                : logp.detach();
            var advantages = tensor(rows.Select(r => r.Advantage).ToArray(), device: _model.Device);    // [B]
            Tensor? reference = null;
            if (_reference is not null)
            {
                using (no_grad()) reference = ReferenceLogProbs(rows, batch);
                using var klTokens = PolicyLoss.KlK3(logp.detach(), reference);
                kl = (klTokens * batch.CompletionMask).sum().item<float>() / Math.Max(1f, batch.CompletionMask.sum().item<float>());
            }
            loss = PolicyLoss.Grpo(logp, old, reference, advantages, batch.CompletionMask, mode, scale, _learning.ClipEpsilon, _learning.KlBeta);
        }
        loss.backward();
        _mixed?.AccumulateGradients();
        return new AccumulateStats(rows.Count, rows.Sum(r => r.CompletionIds.Length), loss.item<float>(), kl * rows.Count);
    }

    public OptimizerStats Step()
    {
        var step = _optimizer.Step();
        _optimizer.ZeroGrad();
        _mixed?.CopyWeights();
        return new OptimizerStats(step.GradNorm, step.LearningRate);
    }

    public void Save(string directory)
    {
        TrainingCheckpoint.Save(_model, directory);
        _models.SaveTokenizer(directory); // A checkpoint is a complete model directory (dash eval/generate take it).
        _optimizer.Save(Path.Combine(directory, OptimizerFile));
    }

    public void Load(string directory)
    {
        TrainingCheckpoint.Load(_model, directory);
        _optimizer.Load(Path.Combine(directory, OptimizerFile));
        _mixed?.CopyWeights();
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
        if (_mixed is not null) _compute.Dispose();
        _reference?.Dispose();
    }

    /// <summary>The reference's log-probs [B, C] on the learner's device (computed on the reference's own device).</summary>
    private Tensor ReferenceLogProbs(IReadOnlyList<Rollout> rows, TokenBatch batch)
    {
        var (here, there) = (_model.Device, _reference!.Device);
        if (here.type == there.type && here.index == there.index) return CompletionLogProbs.Compute(_reference, batch, _temperature);
        using var moved = TokenBatch.Build([.. rows.Select(r => new TokenRow(r.PromptIds, r.CompletionIds))], _padId, there, batch.CompletionLength);
        return CompletionLogProbs.Compute(_reference, moved, _temperature).to(here);
    }

    private TokenBatch Build(IReadOnlyList<Rollout> rows) =>
        TokenBatch.Build([.. rows.Select(r => new TokenRow(r.PromptIds, r.CompletionIds))], _padId, _model.Device);

    private Tensor Padded(float[][] rows, int columns)
    {
        var flat = new float[rows.Length * columns];
        for (var i = 0; i < rows.Length; i++) rows[i].AsSpan(0, Math.Min(columns, rows[i].Length)).CopyTo(flat.AsSpan(i * columns));
        return tensor(flat, [rows.Length, columns], device: _model.Device);
    }
}
