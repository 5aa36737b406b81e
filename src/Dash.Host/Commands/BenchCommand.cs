// dash bench compare: the same training with several algorithms, side by side in one process, repeated; medians.
using System.CommandLine;
using System.Globalization;
using System.Text;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;
using Dash.Host.Training;

namespace Dash.Host.Commands;

internal static class BenchCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var options = new ConfigOptions();
        var algorithms = new Option<string>("--algorithms")
        {
            Description = "Comma-separated presets to compare; a variant adds settings after '+', e.g. dash+sampling.samplers=2 or " +
                          "ppo-multi+run.steps=22 (equal wall time).",
            DefaultValueFactory = _ => "grpo,dash",
        };
        var repeats = new Option<int>("--repeats") { Description = "Runs per algorithm (interleaved); medians are reported.", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps per run.", DefaultValueFactory = _ => 20 };
        var output = new Option<string>("--output", "-o") { Description = "Markdown file for the results table.", DefaultValueFactory = _ => "bench/results/compare.md" };
        var runsDir = new Option<string>("--runs-dir") { Description = "Where the benchmark's runs go (a fresh sub-folder per run).", DefaultValueFactory = _ => "runs/bench" };
        var compare = new Command("compare", "Train the same model on the same prompts with each algorithm (same seed and steps, one shared warm-up), " +
                                             "interleaved and repeated, and report wall time, per-phase times and held-out accuracy.\n" +
                                             "Example: dash bench compare --algorithms grpo,dash --steps 20 --repeats 3");
        options.AddTo(compare);
        foreach (var o in new Option[] { algorithms, repeats, steps, output, runsDir }) compare.Options.Add(o);
        compare.SetAction(p =>
        {
            var c = console(p);
            var names = p.GetValue(algorithms)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var session = Path.Combine(p.GetValue(runsDir)!, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            var results = names.ToDictionary(n => n, _ => new List<Result>());
            var devices = new SortedSet<string>(StringComparer.Ordinal);
            for (var r = 0; r < p.GetValue(repeats); r++)
            {
                foreach (var name in names)
                {
                    var parts = name.Split('+');
                    var id = new string([.. name.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '-')]);
                    var config = options.Load(p, [$"run.steps={p.GetValue(steps)}", $"run.runs-dir={session}", $"run.id={id}-r{r}", "run.eval-every=0", .. parts[1..]],
                        parts[0]);
                    devices.Add(config.Settings.Model.Device);
                    var quiet = c with { Out = TextWriter.Null, IsTerminal = false };
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var code = TrainingSession.Run(config, quiet, allowConfigChange: false);
                    if (code != 0) throw new UserException($"the {name} run failed (exit {code}); see {session}/{id}-r{r}.");
                    results[name].Add(Read(new RunFolder(Path.Combine(session, $"{id}-r{r}")), clock.Elapsed.TotalSeconds));
                    c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} repeat {r + 1}: {results[name][^1].TrainSeconds:0.0} s training, accuracy {results[name][^1].Accuracy:P1}"));
                }
            }
            var table = Table(results, names, p.GetValue(steps), p.GetValue(repeats), string.Join(", ", devices));
            c.Out.WriteLine(table);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(p.GetValue(output)!))!);
            File.WriteAllText(p.GetValue(output)!, table);
            var stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(p.GetValue(output)!))!, Path.GetFileNameWithoutExtension(p.GetValue(output)!));
            foreach (var png in Output.BenchPlots.Write(p.GetValue(output)!, stem)) c.Out.WriteLine($"plot: {png}");
            return 0;
        });
        var command = new Command("bench", "Benchmarks that drive whole training runs (micro-benchmarks live in bench/).");
        command.Subcommands.Add(compare);
        command.Subcommands.Add(Overhead(console));
        command.Subcommands.Add(Plot(console));
        command.Subcommands.Add(FindingsCommand.Create(console));
        return command;
    }

    /// <summary>dash bench plot: PNGs from results files (compare tables → stacked phase bars; model reports → curves).</summary>
    private static Command Plot(Func<ParseResult, Console2> console)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "Results files written by dash bench compare or bench/Dash.Bench.Model, or run folders (runs/<id>).",
            Arity = ArgumentArity.OneOrMore,
        };
        var outDir = new Option<string?>("--output-dir", "-o") { Description = "Folder for the PNGs (default: next to each file)." };
        var command = new Command("plot", "Draw the plots of benchmark results: per-phase stacked bars of a compare table (the paper's figure), " +
                                          "throughput-versus-batch curves of a model-benchmark report, and a run folder's plots and report.png.\n" +
                                          "Example: dash bench plot bench/results/compare.md bench/results/model-gpu-h100.md runs/dash-s1");
        command.Arguments.Add(files);
        command.Options.Add(outDir);
        command.SetAction(p =>
        {
            var c = console(p);
            foreach (var file in p.GetValue(files)!)
            {
                if (Directory.Exists(file))
                {
                    // A run folder: its plots and report.png again, from its metrics.csv and eval.csv.
                    var folder = new Dash.Actors.Persistence.RunFolder(Path.GetFullPath(file).TrimEnd(Path.DirectorySeparatorChar));
                    if (!File.Exists(folder.MetricsCsv) && !File.Exists(folder.EvalCsv))
                        throw new UserException($"{file}: no metrics.csv or eval.csv; give a run folder (runs/<id>) or a results file.");
                    var plots = p.GetValue(outDir) is { } o ? Path.Combine(o, folder.Id) : folder.Plots;
                    foreach (var png in Output.Plots.Write(folder, plots)) c.Out.WriteLine($"plot: {png}");
                    c.Out.WriteLine($"plot: {Output.ReportPlot.Write(folder, plots)}");
                    continue;
                }
                if (!File.Exists(file)) throw new UserException($"{file}: no such results file or run folder.");
                var dir = p.GetValue(outDir) ?? Path.GetDirectoryName(Path.GetFullPath(file))!;
                Directory.CreateDirectory(dir);
                foreach (var png in Output.BenchPlots.Write(file, Path.Combine(dir, Path.GetFileNameWithoutExtension(file)))) c.Out.WriteLine($"plot: {png}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>dash bench overhead: the actor pipeline versus the plain loop doing identical work.</summary>
    private static Command Overhead(Func<ParseResult, Console2> console)
    {
        var options = new ConfigOptions();
        var repeats = new Option<int>("--repeats") { Description = "Interleaved runs of each; medians are reported.", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps per run.", DefaultValueFactory = _ => 10 };
        var runsDir = new Option<string>("--runs-dir") { Description = "Where the benchmark's runs go.", DefaultValueFactory = _ => "runs/bench" };
        var command = new Command("overhead", "Time the actor pipeline (journal, checkpoints, messages) against a plain single-threaded loop doing " +
                                              "the same work with the same engines and seeds (dash-nogf, one sampler, no evaluation); both write checkpoints. " +
                                              "Reports the ratio end to end (setup and artifacts included) and per step in the steady state, after an " +
                                              "untimed 3-step run that lets .NET compile the hot code.\n" +
                                              "Example: dash bench overhead --steps 10 --repeats 3");
        options.AddTo(command);
        foreach (var o in new Option[] { repeats, steps, runsDir }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var c = console(p);
            var session = Path.Combine(p.GetValue(runsDir)!, "overhead-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            string[] Sets(int n, string id) => [$"run.steps={n}", "run.eval-problems=0", "sampling.samplers=1", "model.warmup-steps=0", $"run.runs-dir={session}", $"run.id={id}"];
            // End to end (setup, training, artifacts) and per step in the steady state: from the first step's end to the
            // last's (the pipeline's StepCommitted times; the plain loop's own), which leaves out the fixed costs of a run.
            List<double> actors = [], plain = [], actorSteps = [], plainSteps = [];
            // An untimed 3-step run first: .NET compiles hot code in tiers, and the first training of a process runs its
            // first steps in unoptimised code (~1.5x slower), which would count against whichever side ran first.
            var jit = options.Load(p, Sets(3, "jit-warmup"), "dash-nogf");
            if (TrainingSession.Run(jit, c with { Out = TextWriter.Null, IsTerminal = false }, false) != 0) throw new UserException("the warm-up run failed.");
            for (var r = 0; r < p.GetValue(repeats); r++)
            {
                var config = options.Load(p, Sets(p.GetValue(steps), $"actors-{r}"), "dash-nogf");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                if (TrainingSession.Run(config, c with { Out = TextWriter.Null, IsTerminal = false }, false) != 0) throw new UserException("the pipeline run failed.");
                actors.Add(clock.Elapsed.TotalSeconds);
                var commits = new RunFolder(Path.Combine(session, $"actors-{r}")).ReadEvents().OfType<StepCommitted>().Select(e => e.At).ToArray();
                actorSteps.Add(PerStep([.. commits.Select(t => (t - commits[0]).TotalSeconds)]));

                clock.Restart();
                var done = new List<double>();
                // On a thread of its own, as the pipeline's model actors are: torch keeps a thread pool per calling thread,
                // and one left behind on the main thread by a plain run would compete with the next pipeline run's.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
                var loop = new Thread(() =>
                {
                    try
                    {
                        var engines = EngineSetup.Create(config.Settings);
                        using (Dash.Actors.Algorithm.PlainLoop.Train(config.Settings, engines.Data, engines.Factory,
                                   new Dash.Actors.Persistence.CheckpointStore(Path.Combine(session, $"plain-{r}", "checkpoints")), _ => done.Add(clock.Elapsed.TotalSeconds))) { }
                    }
                    catch (Exception e) { failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
                })
                { Name = "plain-loop", IsBackground = true };
                loop.Start();
                loop.Join();
                failure?.Throw();
                plain.Add(clock.Elapsed.TotalSeconds);
                plainSteps.Add(PerStep(done));
                c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"repeat {r + 1}: actors {actors[^1]:0.00} s ({actorSteps[^1]:0.000} s/step), plain loop {plain[^1]:0.00} s ({plainSteps[^1]:0.000} s/step)"));
            }
            c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median end to end: actor pipeline {Median(actors):0.00} s, plain loop {Median(plain):0.00} s, ratio {Median(actors) / Median(plain):0.000}"));
            c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median per step (steady state): actor pipeline {Median(actorSteps):0.000} s, plain loop {Median(plainSteps):0.000} s, ratio {Median(actorSteps) / Median(plainSteps):0.000} ({p.GetValue(steps)} steps, {p.GetValue(repeats)} repeats)"));
            return 0;
        });
        return command;
    }

    private sealed record Result(double TrainSeconds, double Accuracy, double FirstAccuracy, Dictionary<string, double> Phases, double KeptFraction, double CompletionLength);

    private static Result Read(RunFolder folder, double wall)
    {
        var state = folder.ReadEvents().Aggregate(RunState.Empty, (s, e) => s.Apply(e));
        var steps = state.Steps.Select(s => System.Text.Json.JsonSerializer.Deserialize<StepReport>(s.ReportJson)!).ToArray();
        var phases = new Dictionary<string, double>();
        foreach (var s in steps) foreach (var (k, v) in s.PhaseSeconds) phases[k] = phases.GetValueOrDefault(k) + v;
        var evals = state.Evals.OrderBy(e => e.Step).ToArray();
        double Acc(EvalRecorded e) => (double)e.Correct / Math.Max(1, e.Problems);
        var kept = steps.Sum(s => s.Kept) / (double)Math.Max(1, steps.Sum(s => s.Kept + s.Dropped));
        var length = steps.Length == 0 ? 0 : steps.TakeLast(5).Average(s => s.MeanCompletionLength);
        return new Result(steps.Sum(s => s.Seconds), evals.Length > 0 ? Acc(evals[^1]) : 0, evals.Length > 0 ? Acc(evals[0]) : 0, phases, kept, length);
    }

    /// <summary>Seconds per step from the times steps ended: from the first's end to the last's (NaN with fewer than two).</summary>
    private static double PerStep(IReadOnlyList<double> ends) => ends.Count < 2 ? double.NaN : (ends[^1] - ends[0]) / (ends.Count - 1);

    private static double Median(IEnumerable<double> xs)
    {
        var a = xs.Order().ToArray();
        return a.Length == 0 ? 0 : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    private static string Table(Dictionary<string, List<Result>> results, string[] names, int steps, int repeats, string device)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"Same seed, prompts, model and {steps} optimizer steps per run; {repeats} interleaved repeats; medians. " +
                           $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; model device {device}.");
        sb.AppendLine();
        string[] phases = [Phases.Sample, Phases.Reward, Phases.Advantage, Phases.Learn, Phases.Checkpoint, Phases.WeightSync];
        sb.AppendLine($"| algorithm | training s | ratio to {names[0]} | {string.Join(" | ", phases.Select(ph => ph + " s"))} | kept | completion length (last 5 steps) | accuracy before → after |");
        sb.AppendLine($"|---|---|---|{string.Concat(phases.Select(_ => "---|"))}---|---|---|");
        var baseline = Median(results[names[0]].Select(r => r.TrainSeconds));
        foreach (var name in names)
        {
            var rs = results[name];
            var t = Median(rs.Select(r => r.TrainSeconds));
            sb.AppendLine(inv, $"| {name} | {t:0.0} | {t / baseline:0.00} | {string.Join(" | ", phases.Select(ph => Median(rs.Select(r => r.Phases.GetValueOrDefault(ph))).ToString("0.0", inv)))} | " +
                               $"{Median(rs.Select(r => r.KeptFraction)):P0} | {Median(rs.Select(r => r.CompletionLength)):0.0} | {Median(rs.Select(r => r.FirstAccuracy)):P1} → {Median(rs.Select(r => r.Accuracy)):P1} |");
        }
        return sb.ToString();
    }
}
