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

NativeRuntime.Initialize();
torch.set_num_threads(threads);
var plan = quick ? BenchPlan.Quick : BenchPlan.Full;
var vocab = CharTokenizer.Default.VocabSize;
var report = new Report(plan, quick, threads);

foreach (var name in models)
{
    var config = name switch
    {
        "tiny" => ModelConfig.Tiny(vocab),
        "small" => ModelConfig.Small(vocab),
        _ => throw new ArgumentException($"--models: unknown model \"{name}\" (tiny, small)"),
    };
    Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name}: sampling");
    var sampling = SamplingBench.Run(config, plan);
    Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name}: training");
    var training = TrainingBench.Run(config, plan);
    report.Add(name, config, sampling, training);
}

var markdown = report.ToMarkdown(Environment.CommandLine);
Console.WriteLine(markdown);
if (outPath is not null) File.WriteAllText(outPath, markdown);
