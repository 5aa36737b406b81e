// dash simulate: the real coordinator with simulated workers under virtual time, for clusters of 1 to 1,000 samplers.
using System.CommandLine;
using System.Globalization;
using System.Text;
using Dash.Actors.Algorithm;
using Dash.Actors.Settings;
using Dash.Actors.Simulation;

namespace Dash.Host.Commands;

internal static class SimulateCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var options = new ConfigOptions();
        var samplers = new Option<string>("--samplers") { Description = $"Comma-separated sampler counts, each 1 to {Simulator.MaxSamplers}.", DefaultValueFactory = _ => "1,8,64" };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps simulated per row (default: dash.run.steps when --config or --set gives it, else 10)." };
        var algorithms = new Option<string>("--algorithms") { Description = "Comma-separated presets (hocon/presets.conf).", DefaultValueFactory = _ => "dash,grpo" };
        var cost = new Option<string[]>("--cost") { Description = "Override one cost-model key of hocon/simulate.conf (repeatable). Example: --cost network.shared-uplink=off" };
        var costFile = new Option<string[]>("--cost-file") { Description = "A HOCON file of cost-model keys (repeatable; --cost wins)." };
        var csv = new Option<string?>("--csv") { Description = "Where to write the CSV (default: runs/simulate-<UTC time>.csv)." };
        var command = new Command("simulate",
            "Predict step time, per-role utilisation and the sampling/learning balance for 1 to 1,000 samplers: the real " +
            "coordinator and journal run with simulated samplers, learner and verifiers whose times come from a cost model " +
            "(hocon/simulate.conf, fitted to bench/), under deterministic virtual time. Prints a table and writes a CSV.\n" +
            "Example: dash simulate --samplers 1,8,64,512 --algorithms dash,grpo --set sampling.prompts-per-step=1024 --set sampling.batch-size=8\n" +
            "Example: dash simulate --samplers 64 --cost network.bandwidth-bytes-per-second=1.25e8 --csv runs/slow-network.csv");
        command.Options.Add(options.Config);
        command.Options.Add(options.Set);
        foreach (var o in new Option[] { samplers, steps, algorithms, cost, costFile, csv }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var c = console(p);
            var counts = ParseSamplers(p.GetValue(samplers)!);
            var names = p.GetValue(algorithms)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) throw new UserException("--algorithms: name at least one preset, for example --algorithms dash,grpo.");
            var model = CostModel.Load(p.GetValue(costFile) ?? [], p.GetValue(cost) ?? []);
            var loaded = names.Select(n => (Name: n, Config: options.Load(p, forcedAlgorithm: n))).ToArray();
            var configs = loaded.Select(l => (l.Name, l.Config.Settings)).ToArray();
            // A --set run.steps (or a --config giving it) counts as --steps; the training default (60) does not.
            var fromSettings = loaded[0].Config.Sources.TryGetValue("dash.run.steps", out var source) && !source.StartsWith("default", StringComparison.Ordinal)
                ? configs[0].Settings.Run.Steps : (int?)null;
            var stepCount = p.GetValue(steps) ?? fromSettings ?? 10;
            if (stepCount is < 1 or > 10_000) throw new UserException($"--steps {stepCount}: simulate between 1 and 10000 steps.");
            var results = new List<SimulationResult>();
            foreach (var (name, settings) in configs)
            {
                foreach (var n in counts)
                {
                    var r = Simulator.Run(settings, n, model, stepCount);
                    foreach (var problem in r.Problems) c.Err.WriteLine($"dash: {name} with {n} samplers: {problem}");
                    results.Add(r);
                }
            }
            c.Out.Write(Table(results, configs[0].Settings, stepCount));
            c.Out.WriteLine($"cost model (hocon/simulate.conf with overrides): {string.Join(", ", model.Describe().Select(kv => $"{kv.Key}={kv.Value}"))}");
            foreach (var (name, settings) in configs)
            {
                var shards = StepPlan.For(settings, 0).MaxShardsPerRound;
                if (counts.Any(n => n > shards))
                    c.Out.WriteLine($"note: {name} has at most {shards} shard(s) in flight per round with these settings; samplers beyond that stay idle " +
                                    "(raise sampling.prompts-per-step or lower sampling.batch-size).");
            }
            var path = p.GetValue(csv) ?? Path.Combine("runs", $"simulate-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv");
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            File.WriteAllText(path, Csv(results));
            c.Out.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }

    private static int[] ParseSamplers(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new UserException("--samplers: give at least one sampler count, for example --samplers 1,8,64.");
        return [.. parts.Select(part =>
            int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= Simulator.MaxSamplers
                ? n
                : throw new UserException($"--samplers: \"{part}\" is not a sampler count between 1 and {Simulator.MaxSamplers}."))];
    }

    private static string Table(List<SimulationResult> results, DashSettings s, int steps)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"Simulated {steps} optimizer steps per row (virtual time; seconds are per step): {s.Sampling.PromptsPerStep} prompts x " +
                       $"{s.Sampling.GroupSize} completions per step, sampler batch {s.Sampling.BatchSize}, learner micro-batch {s.Learning.MicroBatchSize}");
        sb.AppendLine(s.Sampling.MaxPolicyLag > 0 ? ", max-policy-lag 1 (sampling one step behind the learner)." : ".");
        sb.AppendLine();
        sb.AppendLine("| algorithm | samplers | step s | sample s | learn s | weight-sync s | other s | sampler util | learner util | kept | samples/s |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            sb.AppendLine(inv, $"| {r.Algorithm} | {r.Samplers} | {r.MeanStepSeconds:0.000} | {r.SampleSeconds:0.000} | {r.LearnSeconds:0.000} | " +
                               $"{r.WeightSyncSeconds:0.000} | {r.OtherSeconds:0.000} | {r.SamplerUtilisation:P1} | {r.LearnerUtilisation:P1} | " +
                               $"{r.KeptFraction:P0} | {r.SamplesPerSecond:0.0} |");
        }
        return sb.ToString();
    }

    private static string Csv(List<SimulationResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("algorithm,samplers,steps,step_seconds,sample_seconds,learn_seconds,weight_sync_seconds,other_seconds," +
                      "sampler_utilisation,learner_utilisation,verifier_utilisation,kept_fraction,samples_per_second,events");
        foreach (var r in results)
        {
            sb.AppendLine(inv, $"{r.Algorithm},{r.Samplers},{r.Steps},{r.MeanStepSeconds:R},{r.SampleSeconds:R},{r.LearnSeconds:R},{r.WeightSyncSeconds:R}," +
                               $"{r.OtherSeconds:R},{r.SamplerUtilisation:R},{r.LearnerUtilisation:R},{r.VerifierUtilisation:R},{r.KeptFraction:R},{r.SamplesPerSecond:R},{r.Events}");
        }
        return sb.ToString();
    }
}
