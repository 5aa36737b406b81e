// How long simulated work takes: per-batch sampling, learning, scoring and transfer costs (defaults: hocon/simulate.conf).
using System.Globalization;
using Akka.Configuration;
using Dash.Actors.Settings;

namespace Dash.Actors.Simulation;

/// <summary>
/// The cost model of a simulation. Every time is in virtual seconds; the keys, their meaning and where each default
/// was measured are documented once, in hocon/simulate.conf.
/// </summary>
/// <param name="DecodeStepSeconds">Batch-independent seconds of one decode step (<c>sampler.decode-step-seconds</c>).</param>
/// <param name="DecodeRowSeconds">Seconds each row adds to a decode step (<c>sampler.decode-row-seconds</c>).</param>
/// <param name="PrefillTokenSeconds">Seconds per prompt token of prefill (<c>sampler.prefill-token-seconds</c>).</param>
/// <param name="LearnerTokenSeconds">Forward + backward seconds per learned token (<c>learner.token-seconds</c>).</param>
/// <param name="OptimizerStepSeconds">Seconds of one optimizer step (<c>learner.optimizer-step-seconds</c>).</param>
/// <param name="ForwardTokenSeconds">Seconds per token of a no-gradient forward pass (<c>learner.forward-token-seconds</c>).</param>
/// <param name="VerifierRowSeconds">Seconds to score one completion (<c>verifier.row-seconds</c>).</param>
/// <param name="WeightBytes">Bytes of one weight update (<c>network.weight-bytes</c>).</param>
/// <param name="BandwidthBytesPerSecond">Link bandwidth (<c>network.bandwidth-bytes-per-second</c>).</param>
/// <param name="LatencySeconds">One-way message latency (<c>network.latency-seconds</c>).</param>
/// <param name="SharedUplink">Weight copies leave the learner one after another (<c>network.shared-uplink</c>).</param>
/// <param name="RolloutBytesPerToken">Bytes per completion token of a result (<c>network.rollout-bytes-per-token</c>).</param>
/// <param name="PromptTokens">Mean synthetic prompt length (<c>workload.prompt-tokens</c>).</param>
/// <param name="CompletionTokens">Mean synthetic completion length (<c>workload.completion-tokens</c>).</param>
/// <param name="CorrectProbability">Probability that a completion is correct (<c>workload.correct-probability</c>).</param>
public sealed record CostModel(
    double DecodeStepSeconds, double DecodeRowSeconds, double PrefillTokenSeconds,
    double LearnerTokenSeconds, double OptimizerStepSeconds, double ForwardTokenSeconds,
    double VerifierRowSeconds,
    double WeightBytes, double BandwidthBytesPerSecond, double LatencySeconds, bool SharedUplink, double RolloutBytesPerToken,
    int PromptTokens, int CompletionTokens, double CorrectProbability)
{
    private const string Root = "dash.simulate";

    /// <summary>The defaults of hocon/simulate.conf.</summary>
    public static CostModel Default => From(ConfigurationFactory.ParseString(ConfigLoader.EmbeddedText("simulate.conf")));

    /// <summary>Seconds a sampler needs for one shard: prefill of every prompt, then decode steps until the longest completion ends.</summary>
    /// <param name="rows">Completions decoded together (the shard's batch).</param>
    /// <param name="promptTokens">Prompt tokens over all rows.</param>
    /// <param name="decodeSteps">Tokens of the longest completion.</param>
    public double SampleSeconds(int rows, long promptTokens, int decodeSteps) =>
        promptTokens * PrefillTokenSeconds + decodeSteps * (DecodeStepSeconds + DecodeRowSeconds * rows);

    /// <summary>Seconds to send <paramref name="bytes"/> over one link (latency included).</summary>
    public double TransferSeconds(double bytes) => LatencySeconds + bytes / BandwidthBytesPerSecond;

    /// <summary>
    /// The same model on a machine <paramref name="factor"/> times slower: every compute time and every transfer
    /// takes <paramref name="factor"/> times as long.
    /// </summary>
    public CostModel Slower(double factor) => this with
    {
        DecodeStepSeconds = DecodeStepSeconds * factor,
        DecodeRowSeconds = DecodeRowSeconds * factor,
        PrefillTokenSeconds = PrefillTokenSeconds * factor,
        LearnerTokenSeconds = LearnerTokenSeconds * factor,
        OptimizerStepSeconds = OptimizerStepSeconds * factor,
        ForwardTokenSeconds = ForwardTokenSeconds * factor,
        VerifierRowSeconds = VerifierRowSeconds * factor,
        BandwidthBytesPerSecond = BandwidthBytesPerSecond / factor,
        LatencySeconds = LatencySeconds * factor,
    };

    /// <summary>
    /// The defaults overridden by HOCON <paramref name="files"/> (later ones win) and <c>key=value</c>
    /// <paramref name="sets"/> (win over files), read with the one --set rule (<see cref="SettingsLayers.ParseSet"/>):
    /// a key may leave out <c>dash.simulate.</c> (<c>sampler.decode-row-seconds</c>) or only <c>dash.</c>.
    /// </summary>
    public static CostModel Load(IEnumerable<string>? files = null, IEnumerable<string>? sets = null)
    {
        var defaults = ConfigurationFactory.ParseString(ConfigLoader.EmbeddedText("simulate.conf"));
        var known = ConfigLoader.LeafPaths(defaults).ToHashSet();
        var layers = new List<SettingsLayer>();
        foreach (var set in (sets ?? []).Reverse()) layers.Add(SettingsLayers.ParseSet(set, "--cost", Root + "."));
        foreach (var file in (files ?? []).Reverse()) layers.Add(SettingsLayers.ParseFile(file, "Cost-model file", bareRoot: Root));
        foreach (var layer in layers) SettingsLayers.CheckKnown(layer, known, "hocon/simulate.conf lists every cost-model key.");
        return From(SettingsLayers.Merge(layers, defaults), key => SettingsLayers.Origin(layers, key));
    }

    private static CostModel From(Config c, Func<string, string?>? origin = null)
    {
        var r = new SettingsReader(c, origin);
        double Positive(string key, bool allowZero = true)
        {
            var v = r.Double($"{Root}.{key}", min: 0);
            if (!allowZero && v == 0) throw r.Bad($"{Root}.{key}", $"{Root}.{key} = 0 must be a number > 0.");
            return v;
        }
        int Tokens(string key) => (int)Math.Max(1, Math.Round(Positive(key, allowZero: false)));
        var p = r.Double($"{Root}.workload.correct-probability", min: 0, max: 1);
        return new CostModel(
            Positive("sampler.decode-step-seconds"), Positive("sampler.decode-row-seconds"), Positive("sampler.prefill-token-seconds"),
            Positive("learner.token-seconds"), Positive("learner.optimizer-step-seconds"), Positive("learner.forward-token-seconds"),
            Positive("verifier.row-seconds"),
            Positive("network.weight-bytes"), Positive("network.bandwidth-bytes-per-second", allowZero: false), Positive("network.latency-seconds"),
            r.Bool($"{Root}.network.shared-uplink"), Positive("network.rollout-bytes-per-token"),
            Tokens("workload.prompt-tokens"), Tokens("workload.completion-tokens"), p);
    }

    /// <summary>Every key with its value, as HOCON lines (for the simulate report).</summary>
    public IEnumerable<(string Key, string Value)> Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        yield return ("sampler.decode-step-seconds", DecodeStepSeconds.ToString("G4", inv));
        yield return ("sampler.decode-row-seconds", DecodeRowSeconds.ToString("G4", inv));
        yield return ("sampler.prefill-token-seconds", PrefillTokenSeconds.ToString("G4", inv));
        yield return ("learner.token-seconds", LearnerTokenSeconds.ToString("G4", inv));
        yield return ("learner.optimizer-step-seconds", OptimizerStepSeconds.ToString("G4", inv));
        yield return ("learner.forward-token-seconds", ForwardTokenSeconds.ToString("G4", inv));
        yield return ("verifier.row-seconds", VerifierRowSeconds.ToString("G4", inv));
        yield return ("network.weight-bytes", WeightBytes.ToString("G4", inv));
        yield return ("network.bandwidth-bytes-per-second", BandwidthBytesPerSecond.ToString("G4", inv));
        yield return ("network.latency-seconds", LatencySeconds.ToString("G4", inv));
        yield return ("network.shared-uplink", SharedUplink ? "on" : "off");
        yield return ("network.rollout-bytes-per-token", RolloutBytesPerToken.ToString("G4", inv));
        yield return ("workload.prompt-tokens", PromptTokens.ToString(inv));
        yield return ("workload.completion-tokens", CompletionTokens.ToString(inv));
        yield return ("workload.correct-probability", CorrectProbability.ToString("G4", inv));
    }
}
