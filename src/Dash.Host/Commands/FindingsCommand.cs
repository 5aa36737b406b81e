// dash bench findings: the paper's comparisons on the built-in task, several seeds each, mean ± 95 % intervals, the
// paper's numbers beside them and one sentence per finding (markdown table and PNG in one folder).
using System.CommandLine;
using System.Globalization;
using Dash.Actors.Persistence;
using Dash.Host.Output;
using Dash.Host.Training;

namespace Dash.Host.Commands;

internal static class FindingsCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var options = new ConfigOptions();
        var seeds = new Option<int>("--seeds") { Description = "Seeds per run (1, 2, ...; each seed has its own warm-up). 95 % intervals need 2 or more.", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps of every run at equal steps (DASH's wall time sets the equal-time runs' steps).", DefaultValueFactory = _ => 40 };
        var problems = new Option<int?>("--eval-problems") { Description = "Held-out problems evaluated before and after each run (default: dash.run.eval-problems)." };
        var warmup = new Option<int?>("--warmup-steps") { Description = "Supervised warm-up steps each seed starts from (default: dash.model.warmup-steps)." };
        var only = new Option<string?>("--only")
        {
            Description = $"Comma-separated runs to make (default all): {string.Join(", ", Findings.Arms.Select(a => a.Key))}. " +
                          "The findings that need a run left out are reported as not tested.",
        };
        var output = new Option<string>("--output-dir", "-o") { Description = "Folder for findings.md and findings.png.", DefaultValueFactory = _ => "bench/results/findings" };
        var runsDir = new Option<string>("--runs-dir") { Description = "Where the runs go (a fresh sub-folder per invocation).", DefaultValueFactory = _ => "runs/findings" };
        var command = new Command("findings", "Mirror the paper's comparisons on the built-in task from one shared warm-up per seed: RL (DASH) vs SFT on " +
                                              "human-style references, PPO multi-step (K = 3) and mini-batch vs DASH at equal steps and at equal wall time, " +
                                              "KL vs no KL (accuracy and completion length), DASH vs GRPO. Reports mean ± 95 % t-intervals over seeds, " +
                                              "the paper's numbers and one verdict per finding.\n" +
                                              "Example (miniature): dash bench findings --seeds 2 --steps 4 --eval-problems 50 --warmup-steps 50");
        options.AddTo(command);
        foreach (var o in new Option[] { seeds, steps, problems, warmup, only, output, runsDir }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var c = console(p);
            var chosen = Chosen(p.GetValue(only));
            if (p.GetValue(seeds) < 1 || p.GetValue(steps) < 1)
                throw new UserException("--seeds and --steps must be at least 1.");
            var session = Path.Combine(p.GetValue(runsDir)!, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            List<string> sets = [$"run.runs-dir={session}", "run.eval-every=0"];
            if (p.GetValue(problems) is { } n) sets.Add($"run.eval-problems={n}");
            if (p.GetValue(warmup) is { } w) sets.Add($"model.warmup-steps={w}");
            var runs = new List<Findings.ArmRun>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var dir = p.GetValue(output)!;
            Directory.CreateDirectory(dir);
            var md = Path.Combine(dir, "findings.md");
            for (var seed = 1; seed <= p.GetValue(seeds); seed++)
            {
                foreach (var arm in Findings.Arms.Where(a => chosen.Contains(a.Key)))
                {
                    var armSteps = arm.EqualTime ? EqualTimeSteps(arm, seed, runs, p.GetValue(steps)) : p.GetValue(steps);
                    if (armSteps is not { } s)
                    {
                        c.Out.WriteLine($"{arm.Key} seed {seed}: skipped (equal wall time needs the dash and {arm.Preset} runs of this seed).");
                        continue;
                    }
                    var id = $"{arm.Key}-s{seed}";
                    var config = options.Load(p, [.. sets, $"run.seed={seed}", $"run.steps={s}", $"run.id={id}"], arm.Preset);
                    var code = TrainingSession.Run(config, c with { Out = TextWriter.Null, IsTerminal = false }, allowConfigChange: false);
                    if (code != 0) throw new UserException($"the {id} run failed (exit {code}); see {Path.Combine(session, id)}.");
                    var run = Read(arm.Key, seed, s, new RunFolder(Path.Combine(session, id)));
                    runs.Add(run);
                    // The table so far, so an interrupted hour still leaves its results.
                    File.WriteAllText(md, Findings.Report(runs, Setup(p.GetValue(seeds), p.GetValue(steps), runs, session, clock.Elapsed.TotalMinutes) + " (partial)"));
                    c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{id}: {s} steps, {run.TrainSeconds:0.0} s training, held-out {run.StartAccuracy:P1} → {run.Accuracy:P1} ({run.Correct}/{run.Problems})"));
                }
            }
            var setup = Setup(p.GetValue(seeds), p.GetValue(steps), runs, session, clock.Elapsed.TotalMinutes);
            var report = Findings.Report(runs, setup);
            File.WriteAllText(md, report);
            c.Out.WriteLine(report);
            c.Out.WriteLine($"table: {md}");
            c.Out.WriteLine($"plot: {FindingsPlot.Write(Path.Combine(dir, "findings.png"), runs)}");
            return 0;
        });
        return command;
    }

    private static HashSet<string> Chosen(string? only)
    {
        if (only is null) return [.. Findings.Arms.Select(a => a.Key)];
        var keys = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = keys.Where(k => Findings.Arms.All(a => a.Key != k)).ToArray();
        if (unknown.Length > 0)
            throw new UserException($"--only {string.Join(",", unknown)}: no such run; choose from {string.Join(", ", Findings.Arms.Select(a => a.Key))}.");
        return keys;
    }

    /// <summary>The steps an equal-time arm gets: DASH's training seconds of this seed over the preset's seconds per step.</summary>
    private static int? EqualTimeSteps(Findings.Arm arm, int seed, List<Findings.ArmRun> runs, int steps)
    {
        var dash = runs.FirstOrDefault(r => r.Arm == "dash" && r.Seed == seed);
        var same = runs.FirstOrDefault(r => r.Arm == arm.Preset && r.Seed == seed);
        if (dash is null || same is null || same.TrainSeconds <= 0) return null;
        return Math.Max(1, (int)Math.Round(dash.TrainSeconds / (same.TrainSeconds / same.Steps)));
    }

    private static Findings.ArmRun Read(string arm, int seed, int steps, RunFolder folder)
    {
        var run = RunData.Read(folder);
        var correct = run.Evals.Column("correct") ?? [];
        var problems = run.Evals.Column("problems") ?? [];
        var lengths = run.Evals.Column("mean_completion_length") ?? [];
        if (correct.Length == 0) throw new UserException($"{folder.EvalCsv}: no held-out evaluation; the run did not evaluate (dash.run.eval-problems = 0?).");
        return new Findings.ArmRun(arm, seed, steps, (run.Metrics.Column("seconds") ?? []).Sum(), (int)correct[^1], (int)problems[^1], (int)correct[0],
            (int)problems[0], lengths.Length > 0 ? lengths[^1] : 0);
    }

    private static string Setup(int seeds, int steps, List<Findings.ArmRun> runs, string session, double minutes)
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        var problems = runs.Select(r => r.Problems).Distinct().Order();
        return string.Create(CultureInfo.InvariantCulture,
            $"{seeds} seed(s), {steps} optimizer steps per run (equal-time runs: DASH's training seconds), held-out problems: {string.Join(", ", problems)} " +
            $"(greedy pass@1 after each run; every run of a seed starts from that seed's warm-up). Intervals are Student-t 95 % over seeds. " +
            $"Machine: {Environment.ProcessorCount} cores, load average {load} at the end; {minutes:0.0} min in all. Runs: `{session}`.");
    }
}
