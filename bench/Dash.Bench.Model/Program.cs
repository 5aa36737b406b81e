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
var dtypes = (args.SkipWhile(a => a != "--dtypes").Skip(1).FirstOrDefault() ?? "float32").Split(',');
int[]? Ints(string flag) => args.SkipWhile(a => a != flag).Skip(1).FirstOrDefault()?.Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

NativeRuntime.Initialize();
torch.set_num_threads(threads);
var device = DeviceSpec.Parse(deviceText, "--device");
var torchDevice = device.ToTorch("--device");
var plan = quick ? BenchPlan.Quick : BenchPlan.Full;
plan = plan with
{
    SampleBatches = Ints("--batches") ?? plan.SampleBatches,
    MicroBatches = Ints("--micro-batches") ?? plan.MicroBatches,
    Repeats = Ints("--repeats")?[0] ?? plan.Repeats,
};
var prefillOnly = args.Contains("--prefill");
var compareFused = args.Contains("--compare-fused");
var fusedSections = new List<string>();
var vocab = CharTokenizer.Default.VocabSize;
var report = new Report(plan, quick, threads, device.ToString());

foreach (var name in models)
{
    var config = name switch
    {
        "tiny" => ModelConfig.Tiny(vocab),
        "small" => ModelConfig.Small(vocab),
        "qwen-0.5b" => ModelConfig.QwenHalfBillion(),
        _ => throw new ArgumentException($"--models: unknown model \"{name}\" (tiny, small, qwen-0.5b)"),
    };
    foreach (var dtypeName in dtypes)
    {
        var dtype = DtypeSpec.Parse(dtypeName, "--dtypes");
        var label = dtype == torch.ScalarType.Float32 ? name : $"{name} {dtypeName}";
        if (compareFused)
        {
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {label}: fused versus unfused projections");
            fusedSections.Add(FusedBench.Run(label, config, plan, torchDevice, dtype));
            continue;
        }
        if (prefillOnly)
        {
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {label}: prefill with shared prompts");
            report.AddPrefill(label, PrefillBench.Run(config, plan, torchDevice, dtype));
            continue;
        }
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {label}: sampling");
        var sampling = SamplingBench.Run(config, plan, torchDevice, dtype);
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {label}: training");
        var training = plan.MicroBatches.Length == 0 ? [] : TrainingBench.Run(config, plan, torchDevice, dtype);
        report.Add(label, config, sampling, training);
    }
}

var markdown = compareFused
    ? $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: `{Environment.CommandLine}`; load average at end {File.ReadAllText("/proc/loadavg").Trim()}\n\n" + string.Join("\n", fusedSections)
    : report.ToMarkdown(Environment.CommandLine);
Console.WriteLine(markdown);
if (outPath is not null) File.WriteAllText(outPath, markdown);
