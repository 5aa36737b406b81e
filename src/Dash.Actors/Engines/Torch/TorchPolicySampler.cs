// A sampler engine over a TorchSharp model replica: groups of completions per prompt, seeded per shard.
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Model.Parameters;
using Dash.Model.Sampling;
using Dash.Model.Tokenizers;
using Dash.Model.Transformer;
using TorchSharp;

namespace Dash.Actors.Engines.Torch;

public sealed class TorchPolicySampler : IPolicySampler
{
    private readonly CausalLM _model;
    private readonly FlatParameters _flat;
    private readonly Sampler _sampler;
    private readonly ITextTokenizer _tokenizer;
    private readonly SamplingOptions _sampling;
    private readonly SamplingOptions _greedy;
    private readonly int _batchSize;

    /// <param name="device">Where this replica lives (default: dash.model.device).</param>
    public TorchPolicySampler(PolicyModels models, SamplerSettings settings, ActorDevice? device = null)
    {
        _model = models.Create(on: device);
        _model.eval();
        _flat = new FlatParameters(_model.parameters());
        _sampler = new Sampler(_model);
        _tokenizer = models.Tokenizer;
        _sampling = new SamplingOptions
        {
            Temperature = settings.Temperature,
            TopK = settings.TopK,
            TopP = settings.TopP,
            MaxNewTokens = settings.MaxNewTokens,
            EosIds = _tokenizer.EosIds,
            PadId = _tokenizer.PadId,
        }.Validate();
        _greedy = _sampling with { Temperature = 0, TopK = 0, TopP = 1 };
        _batchSize = settings.BatchSize;
    }

    public IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<int[]> prompts, int groupSize, bool greedy, ulong seed)
    {
        var expanded = new List<int[]>(prompts.Count * groupSize);
        foreach (var p in prompts) for (var j = 0; j < groupSize; j++) expanded.Add(p);
        // A CPU generator whatever the model's device (TorchSharp makes no CUDA generators); TokenPicker draws on the
        // CPU and finds the token on the device.
        using var generator = new torch.Generator(seed);
        var results = _sampler.SampleMany(expanded, _batchSize, greedy ? _greedy : _sampling, generator);
        return [.. results.Select(r => new SampledCompletion(r.TokenIds, r.LogProbs, Map(r.FinishReason), Text(r)))];
    }

    private string Text(Model.Sampling.SampledCompletion r) =>
        _tokenizer.Decode(r.FinishReason == Model.Sampling.FinishReason.Length ? r.TokenIds : r.TokenIds.AsSpan(0, r.TokenIds.Length - 1));

    private static Protocol.FinishReason Map(Model.Sampling.FinishReason f) => f switch
    {
        Model.Sampling.FinishReason.Eos => Protocol.FinishReason.Eos,
        Model.Sampling.FinishReason.Stop => Protocol.FinishReason.Stop,
        _ => Protocol.FinishReason.Length,
    };

    public void LoadWeights(ReadOnlySpan<float> weights) => _flat.CopyWeightsFrom(weights);

    public void Dispose() => _model.Dispose();
}
