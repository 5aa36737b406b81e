// dash eval: greedy pass@1 and sampled pass@k of a model on a whole benchmark or a run's held-out set, with breakdowns.
using System.CommandLine;
using Dash.Actors.Engines;
using Dash.Actors.Engines.Torch;
using Dash.Actors.Settings;
using Dash.Host.Output;
using Dash.Model.Runtime;
using Dash.Tasks.Arithmetic;
using Dash.Tasks.Data;
using Dash.Tasks.Grading;

namespace Dash.Host.Commands;

internal static class EvalCommand
{
    // dash eval's own defaults (hocon/eval.conf), for a model that is not a run's checkpoint (with --config the run's settings apply).
    private static EvalDefaults Defaults => EvalDefaults.Default;

    public static Command Create(Func<ParseResult, Console2> console)
    {
        var model = new Option<string>("--model", "-m") { Description = "A Hugging Face model directory (Qwen2/Llama), or a Dash checkpoint folder.", Required = true };
        var data = new Option<string?>("--data", "-d")
        {
            Description = "math500 (500), gsm8k (1,319 test rows), math (5,000 test rows), arithmetic (the built-in held-out set), " +
                          "or a JSONL file with question/answer fields; scored whole. Default: math500, or with --config the run's held-out set.",
        };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding math500/, gsm8k/ and math/ (default: data, or the run's dash.task.data-dir)." };
        var limit = new Option<int>("--limit") { Description = "Evaluate only the first N problems in file order (0 = all).", DefaultValueFactory = _ => 0 };
        var k = new Option<int>("--k") { Description = "Also sample k completions per problem for pass@k (0 = greedy only).", DefaultValueFactory = _ => 0 };
        var temperature = new Option<float?>("--temperature") { Description = $"Temperature of the pass@k samples (default {Defaults.Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}, or the run's)." };
        var topP = new Option<float?>("--top-p") { Description = "Top-p of the pass@k samples (default 1 = off, or the run's)." };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = $"Most tokens per completion (default {Defaults.MaxNewTokens}, or the run's)." };
        var batch = new Option<int?>("--batch-size") { Description = $"Completions per forward pass (default {Defaults.BatchSize}, or the run's)." };
        var template = new Option<string?>("--template") { Description = "raw, qwen-chat, chat (the model's own chat template) or few-shot (default raw, or the run's)." };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default cpu, or the run's)." };
        var dtype = new Option<string?>("--dtype") { Description = "float32 or bfloat16: weights, activations and KV cache (default float32, or the run's)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write every problem's completion and verdict to this JSONL file (UTF-8)." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON instead of text." };
        var lenient = new Option<bool>("--lenient") { Description = "Read answers with every rule (answer phrases, math segments, last number), for models not trained on the task's format." };
        var seed = new Option<long>("--seed") { Description = "Seed of the pass@k samples.", DefaultValueFactory = _ => 1 };
        var config = new ConfigOptions();
        var command = new Command("eval", "Evaluate a model: greedy pass@1 and sampled pass@k on a whole benchmark, with per-level and per-subject breakdowns.\n" +
                                          "Example: dash eval --model ~/models/Qwen2.5-0.5B --data math500 --data-dir ../shared/data\n" +
                                          "A run's checkpoint with the run's settings reproduces the run's held-out accuracy:\n" +
                                          "  dash eval --model runs/dash-s1/checkpoints/step-000150 --config runs/dash-s1/config.conf");
        foreach (var o in new Option[] { model, data, dataDir, limit, k, temperature, topP, maxNew, batch, template, device, dtype, output, json, lenient, seed }) command.Options.Add(o);
        config.AddTo(command);
        command.SetAction(p =>
        {
            var fromRun = (p.GetValue(config.Config) ?? []).Length > 0;
            // Without a run's config.conf, hocon/eval.conf's defaults sit below the --set keys: a --set changes only its key.
            var settings = Settings(config.Load(p, baseSets: fromRun ? [] : DefaultSets()).Settings, p.GetValue(model)!, p.GetValue(dataDir), p.GetValue(maxNew), p.GetValue(batch),
                p.GetValue(template), p.GetValue(device), p.GetValue(dtype), p.GetValue(temperature), p.GetValue(topP));
            var kk = p.GetValue(k);
            if (kk < 0 || kk > settings.Sampling.BatchSize) throw new UserException($"--k {kk}: must be between 0 and the batch size ({settings.Sampling.BatchSize}).");
            if (p.GetValue(limit) < 0) throw new UserException($"--limit {p.GetValue(limit)}: must be 0 (all) or positive.");
            var dataName = p.GetValue(data) ?? (fromRun ? null : Defaults.Data);
            var runTask = settings.Task with { Name = dataName ?? settings.Task.Name };
            // Only a run's own held-out set and few-shot examples need the task's training data; a benchmark never does.
            var source = dataName is null || settings.Task.Template == "few-shot" ? TaskTrainingData.Load(runTask, settings.Run.Seed, settings.Run.EvalProblems) : null;
            var set = (dataName is null
                ? Evaluator.RunSet(settings, source!)
                : Benchmarks.Load(dataName, settings.Task.DataDir, Arithmetic(settings))).Take(p.GetValue(limit));

            Cli.InitNative();
            var models = new PolicyModels(settings.Model, settings.Run.Seed);
            var prompts = new TaskTrainingData(source ?? EmptySource.Instance, models.Tokenizer,
                TaskTrainingData.Template(settings.Task.Template, source ?? EmptySource.Instance, settings.Model.Dir), settings.Task.MaxPromptTokens);
            var options = p.GetValue(lenient)
                ? VerifierScorer.RewardOptions(settings, runTask.Name) with { Extraction = AnswerFormats.Lenient }
                : VerifierScorer.RewardOptions(settings, runTask.Name);
            using var sampler = new TorchPolicySampler(models, settings.Sampling);
            var evaluator = new Evaluator(sampler, new VerifierScorer(options), prompts.EncodePrompt, settings.Sampling.BatchSize);
            var c = console(p);
            if (prompts.CutPromptsWarning(set.Problems, "problems") is { } cut) c.Err.WriteLine("dash: warning: " + cut);
            if (kk > 1 && settings.Sampling.Temperature == 0)
                c.Err.WriteLine($"dash: warning: --k {kk} at temperature 0 draws {kk} identical greedy completions, so pass@{kk} is greedy pass@1; give --temperature above 0.");
            var rows = evaluator.Run(set.Problems, kk, p.GetValue(seed));
            var protocol = new EvalProtocol(kk, settings.Sampling, p.GetValue(seed), settings.Task.Template, AnswerFormats.Describe(options.Extraction),
                p.GetValue(lenient) ? "lenient, every rule" : "the task's format");
            var report = new EvalOutput(set, protocol, rows);
            if (p.GetValue(output) is { } file) report.WriteJsonl(file);
            if (p.GetValue(json)) c.Out.WriteLine(report.SummaryJson(p.GetValue(model)!));
            else report.Print(c.Out, p.GetValue(model)!);
            return 0;
        });
        return command;
    }

    /// <summary>hocon/eval.conf's defaults as the training keys they stand for (and a torch thread per core), layered
    /// below the user's --set when no run's config.conf is given.</summary>
    private static string[] DefaultSets() =>
    [
        $"sampling.max-new-tokens={Defaults.MaxNewTokens}", $"sampling.batch-size={Defaults.BatchSize}",
        $"sampling.temperature={Defaults.Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        $"sampling.top-p={Defaults.TopP.ToString(System.Globalization.CultureInfo.InvariantCulture)}", $"sampling.top-k={Defaults.TopK}",
        $"task.max-prompt-tokens={Defaults.MaxPromptTokens}", $"task.template={Quoted(Defaults.Template)}", $"task.data-dir={Quoted(Defaults.DataDir)}",
        $"model.device={Quoted(Defaults.Device)}", $"model.dtype={Quoted(Defaults.Dtype)}", $"model.threads={Environment.ProcessorCount}",
    ];

    private static string Quoted(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    // The run's settings (--config), or dash eval's defaults under the --set keys; explicit flags win either way.
    private static DashSettings Settings(DashSettings s, string model, string? dataDir, int? maxNew, int? batch, string? template,
        string? device, string? dtype, float? temperature, float? topP)
    {
        static int Positive(int v, string flag) => v > 0 ? v : throw new UserException($"{flag} {v}: must be positive.");
        var sampling = s.Sampling with
        {
            MaxNewTokens = Positive(maxNew ?? s.Sampling.MaxNewTokens, "--max-new-tokens"),
            BatchSize = Positive(batch ?? s.Sampling.BatchSize, "--batch-size"),
            Temperature = temperature ?? s.Sampling.Temperature,
            TopP = topP ?? s.Sampling.TopP,
        };
        if (sampling.Temperature < 0) throw new UserException($"--temperature {sampling.Temperature}: must not be negative.");
        if (sampling.TopP is <= 0 or > 1) throw new UserException($"--top-p {sampling.TopP}: must be in (0, 1].");
        var chosen = template ?? s.Task.Template;
        if (chosen is not ("raw" or "qwen-chat" or "chat" or "few-shot")) throw new UserException($"--template {chosen}: use raw, qwen-chat, chat or few-shot.");
        var task = s.Task with { DataDir = dataDir ?? s.Task.DataDir, Template = chosen };
        var modelSettings = s.Model with
        {
            Dir = model,
            Device = device ?? s.Model.Device,
            Dtype = dtype ?? s.Model.Dtype,
        };
        if (dtype is not null) DtypeSpec.Parse(dtype, "--dtype");
        if (!Directory.Exists(model)) throw new UserException($"--model {model}: no such directory.");
        return s with { Sampling = sampling, Task = task, Model = modelSettings };
    }

    // The built-in task's held-out set as training builds it: the run's seed and levels, dash.run.eval-problems problems.
    private static ArithmeticOptions Arithmetic(DashSettings s) => TaskTrainingData.Arithmetic(s.Task, s.Run.Seed, s.Run.EvalProblems);

    // A source with no problems, for prompt templates that need no training examples.
    private sealed class EmptySource : Dash.Tasks.IProblemSource
    {
        public static readonly EmptySource Instance = new();

        public string Name => "none";

        public IReadOnlyList<Dash.Tasks.Problem> HeldOut => [];

        public Dash.Tasks.Problem Train(long index) => throw new InvalidOperationException("no training problems");
    }
}
