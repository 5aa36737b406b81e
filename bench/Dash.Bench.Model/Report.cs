// Formats the measurements as the markdown that goes into bench/MODEL.md.
using System.Globalization;
using System.Text;
using Dash.Model.Config;

namespace Dash.Bench.Model;

internal sealed class Report(BenchPlan plan, bool quick, int threads, string device)
{
    private readonly string _startLoad = LoadAverage();
    private readonly List<(string Name, ModelConfig Config, List<Measurement> Sampling, List<Measurement> Training, double StepSeconds)> _rows = [];

    private readonly List<(string Name, List<PrefillMeasurement> Rows)> _prefill = [];

    public void AddPrefill(string name, List<PrefillMeasurement> rows) => _prefill.Add((name, rows));

    public void Add(string name, ModelConfig config, List<Measurement> sampling, List<Measurement> training) =>
        _rows.Add((name, config, sampling, training, TrainingBench.LastOptimizerStepSeconds));

    public string ToMarkdown(string command)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(quick ? " (--quick smoke run)" : "")}: `{command}`");
        md.AppendLine(inv, $"Machine: {CpuName()}, {Environment.ProcessorCount} logical CPUs, device {device}, torch threads {threads}, allocator fix on; " +
            $"load average at start {_startLoad}, at end {LoadAverage()} (the machine is shared).");
        md.AppendLine(inv, $"Prompts {plan.PromptTokens} tokens, {plan.NewTokens} new tokens (no EOS), temperature 1, top-k 50; " +
            $"training rows {plan.PromptTokens}+{plan.NewTokens} tokens, Dr. GRPO loss, forward+backward; median of {plan.Repeats} after a warm-up.");
        md.AppendLine();
        foreach (var (name, config, sampling, training, step) in _rows)
        {
            var parameters = ParameterCount(config);
            md.AppendLine(inv, $"**{name}** — {parameters / 1e6:F2}M parameters (d{config.HiddenSize}, {config.NumHiddenLayers} layers, " +
                $"{config.NumAttentionHeads} heads / {config.NumKeyValueHeads} KV, FFN {config.IntermediateSize}, vocab {config.VocabSize}, " +
                $"{(config.TieWordEmbeddings ? "tied" : "untied")}); AdamW step {step * 1000:F1} ms.");
            md.AppendLine();
            Table(md, "sampling batch", "new tokens/s", sampling);
            Table(md, "micro-batch", "train tokens/s", training);
        }
        foreach (var (name, rows) in _prefill)
        {
            md.AppendLine(inv, $"Prefill, {name}: {PrefillBench.Distinct} distinct prompts x G = {PrefillBench.Group} copies (one sampled token), ms:");
            md.AppendLine();
            md.AppendLine("| prompt tokens | each copy prefilled | each prompt once (shared) | speed-up |");
            md.AppendLine("|---|---|---|---|");
            foreach (var r in rows)
                md.AppendLine(inv, $"| {r.PromptTokens} | {r.UnsharedSeconds * 1000:F0} | {r.SharedSeconds * 1000:F0} | {r.UnsharedSeconds / r.SharedSeconds:F1}x |");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static void Table(StringBuilder md, string what, string unit, List<Measurement> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"| {what} | {string.Join(" | ", rows.Select(r => r.Batch))} |");
        md.AppendLine(inv, $"|---|{string.Concat(rows.Select(_ => "---|"))}");
        md.AppendLine(inv, $"| {unit} | {string.Join(" | ", rows.Select(r => r.TokensPerSecond.ToString("N0", inv)))} |");
        md.AppendLine(inv, $"| peak RSS MiB | {string.Join(" | ", rows.Select(r => r.PeakRssMiB.ToString("N0", inv)))} |");
        md.AppendLine();
    }

    private static long ParameterCount(ModelConfig c)
    {
        long d = c.HiddenSize, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        var layer = d * d * 2 + d * kv * 2 + 3 * d * c.IntermediateSize + 2 * d + (c.AttentionBias ? d + 2 * kv : 0);
        return c.NumHiddenLayers * layer + c.VocabSize * d * (c.TieWordEmbeddings ? 1 : 2) + d;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string CpuName()
    {
        const string file = "/proc/cpuinfo";
        if (!File.Exists(file)) return "unknown CPU";
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    }
}
