// Entry point of the model benchmark: parses flags, runs the sampling and training sweeps, prints a markdown report.
using Dash.Bench.Model;
using Dash.Model.Config;
using Dash.Model.Runtime;
using Dash.Model.Tokenizers;
using TorchSharp;

var quick = args.Contains("--quick");
var outPath = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
var models = args.SkipWhile(a => a != "--models").Skip(1).FirstOrDefault()?.Split(',') ?? ["tiny", "small"];

var threads = int.Parse(args.SkipWhile(a => a != "--threads").Skip(1).FirstOrDefault() ?? "2", System.Globalization.CultureInfo.InvariantCulture);
var deviceText = args.SkipWhile(a => a != "--device").Skip(1).FirstOrDefault() ?? "cpu";

NativeRuntime.Initialize();
torch.set_num_threads(threads);
var device = DeviceSpec.Parse(deviceText, "--device");
var torchDevice = device.ToTorch("--device");
var plan = quick ? BenchPlan.Quick : BenchPlan.Full;
var vocab = CharTokenizer.Default.VocabSize;
var report = new Report(plan, quick, threads, device.ToString());

foreach (var name in models)
{
    var config = name switch
    {
        "tiny" => ModelConfig.Tiny(vocab),
        "small" => ModelConfig.Small(vocab),
        "qwen-0.5b" => QwenHalfBillion(),
        _ => throw new ArgumentException($"--models: unknown model \"{name}\" (tiny, small, qwen-0.5b)"),
    };
    Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name}: sampling");
    var sampling = SamplingBench.Run(config, plan, torchDevice);
    Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name}: training");
    var training = TrainingBench.Run(config, plan, torchDevice);
    report.Add(name, config, sampling, training);
}

var markdown = report.ToMarkdown(Environment.CommandLine);
Console.WriteLine(markdown);
if (outPath is not null) File.WriteAllText(outPath, markdown);

// Qwen2.5-0.5B's shape (config.json of the released model) with random weights: timing does not depend on the weights.
static ModelConfig QwenHalfBillion() => new()
{
    ModelType = "qwen2",
    HiddenSize = 896,
    NumHiddenLayers = 24,
    NumAttentionHeads = 14,
    NumKeyValueHeads = 2,
    IntermediateSize = 4864,
    VocabSize = 151936,
    RmsNormEps = 1e-6,
    RopeTheta = 1000000.0,
    TieWordEmbeddings = true,
    MaxPositionEmbeddings = 32768,
    AttentionBias = true,
    EosTokenIds = [151643],
};
