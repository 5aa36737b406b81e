// Runs one training run in-process: run folder, journal (SQLite or PostgreSQL), actor system, coordinator, display and artifacts.
using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Dash.Actors;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Host.Output;

namespace Dash.Host.Training;

internal static class TrainingSession
{
    public static int Run(EffectiveConfig config, Console2 console, bool allowConfigChange, ClusterHost? cluster = null)
    {
        Cli.InitNative();
        var settings = config.Settings;
        EngineSetup.CheckDevice(settings);
        var id = RunId(settings);
        var (initFrom, warmup, ok) = Warmup(config, console, allowConfigChange);
        if (!ok) return 2;
        var (rl, rlFolder) = RunOne(config.Text, settings, id, console, allowConfigChange, initFrom, cluster);
        if (rl is null) return 2;
        new TrainingDisplay(console, settings.Run.Steps, 0).Summary(rl, rlFolder.Path, warmup, settings.Learning.Mode == LearningMode.Sft ? "SFT" : "RL");
        return 0;
    }

    /// <summary>The run's id: <c>dash.run.id</c>, else the algorithm and seed; checked to be a plain folder name.</summary>
    public static string RunId(DashSettings settings)
    {
        var id = settings.Run.Id.Length > 0 ? settings.Run.Id : $"{settings.Algorithm}-s{settings.Run.Seed}";
        if (id.IndexOfAny(['/', '\\', ' ']) >= 0 || id is "." or "..")
            throw new UserException($"dash.run.id = \"{id}\" must be a plain folder name (letters, digits, '-', '_', '.').");
        return id;
    }

    /// <summary>
    /// The built-in model's supervised warm-up (shared by every run with the same training settings, and done once):
    /// returns the checkpoint RL starts from. Runs in this process even on a cluster (it needs no samplers but its own).
    /// </summary>
    public static (string? InitFrom, TrainingFinished? Warmup, bool Ok) Warmup(EffectiveConfig config, Console2 console, bool allowConfigChange)
    {
        var settings = config.Settings;
        if (settings.Model.Dir.Length > 0 || settings.Model.WarmupSteps <= 0) return (null, null, true);
        var warm = WarmupConfig(config.Text, settings);
        // Named by its configuration, so RL runs that differ only in their algorithm (dash vs grpo) share one warm-up.
        var warmId = "warmup-" + RunContext.TrainingHash(warm.Text)[..10];
        console.Out.WriteLine($"Warm-up {warmId}: {settings.Model.WarmupSteps} supervised steps on worked solutions, so the built-in " +
                              "model is sometimes right before RL starts (dash.model.warmup-steps).");
        var (finished, folder) = RunOne(warm.Text, warm.Settings, warmId, console, allowConfigChange, initFrom: null, cluster: null);
        if (finished is null) return (null, null, false);
        var initFrom = Fold(folder).Last is { } last ? new CheckpointStore(folder.Checkpoints).PathOf(last.Checkpoint) : null;
        return (initFrom, finished, true);
    }

    /// <summary>The warm-up run's configuration: the sft preset with the warm-up's steps, learning rate and batch.</summary>
    private static (string Text, DashSettings Settings) WarmupConfig(string rlText, DashSettings rl)
    {
        var overrides = ConfigurationFactory.ParseString(string.Join("\n",
            "dash.algorithm = sft", "dash.run.id = \"\"", "dash.learning.mode = sft", "dash.advantage.filter-tau = -1", "dash.sampling.preemptive = on",
            $"dash.run.steps = {rl.Model.WarmupSteps}", "dash.run.eval-every = 0",
            FormattableString.Invariant($"dash.learning.learning-rate = {rl.Model.WarmupLearningRate}"), "dash.learning.lr-schedule = constant",
            "dash.learning.warmup-steps = 0", "dash.learning.ppo-epochs = 1", "dash.learning.mini-batches = 1", "dash.learning.kl-beta = 0",
            $"dash.sampling.prompts-per-step = {rl.Model.WarmupBatch}", $"dash.learning.micro-batch-size = {rl.Model.WarmupBatch}"));
        var config = overrides.WithFallback(ConfigurationFactory.ParseString(rlText));
        var settings = DashSettings.From(config);
        return (ConfigLoader.Render(config, ConfigLoader.LeafPaths(ConfigLoader.Defaults)), settings);
    }

    private static RunState Fold(RunFolder folder) => folder.ReadEvents().Aggregate(RunState.Empty, (s, e) => s.Apply(e));

    /// <summary>Runs (or resumes) one run to its end; null when it failed.</summary>
    private static (TrainingFinished? Finished, RunFolder Folder) RunOne(
        string configText, DashSettings settings, string id, Console2 console, bool allowConfigChange, string? initFrom, ClusterHost? cluster)
    {
        var path = Path.Combine(settings.Run.RunsDir, id);
        var journal = JournalConfig.For(settings.Persistence, new RunFolder(path).Journal);
        var folder = new RunFolder(path, journal);
        try
        {
            Directory.CreateDirectory(folder.Path);
            File.WriteAllText(Path.Combine(folder.Path, ".write-test"), "");
            File.Delete(Path.Combine(folder.Path, ".write-test"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"the run folder {Path.GetFullPath(folder.Path)} is not writable ({e.Message}). " +
                                    "Choose another with --runs-dir.", e);
        }
        try
        {
            journal.Verify();
        }
        catch (InvalidOperationException e)
        {
            throw new UserException(e.Message, e);
        }

        var recovered = Fold(folder);
        if (recovered.Finished && recovered.NextStep >= settings.Run.Steps && recovered.Started?.ConfigHash == new RunContext(id, configText, null).ConfigHash)
        {
            console.Out.WriteLine($"Run {id} already finished ({recovered.Steps.Count} steps).");
            var evals = recovered.Evals.Select(e => JsonSerializer.Deserialize<EvalReport>(e.ReportJson)!).ToArray();
            return (new TrainingFinished(recovered.NextStep, recovered.Last?.PolicyVersion ?? 0, evals.FirstOrDefault(), evals.LastOrDefault(), 0, []), folder);
        }
        var engines = EngineSetup.Create(settings, initFrom);
        console.Out.WriteLine(recovered.Steps.Count > 0
            ? $"Resuming run {id} after step {recovered.Last!.Step} ({engines.Description})."
            : $"Training run {id}: {settings.Algorithm}, {settings.Run.Steps} steps, {engines.Description}.");
        File.WriteAllText(folder.Config, configText);

        // A standby coordinator node starts its artifacts when the run reaches it (the journal has grown meanwhile).
        var artifacts = cluster is null ? new RunArtifacts(folder, recovered) : null;
        var display = new TrainingDisplay(console, settings.Run.Steps, recovered.NextStep);
        var inbox = new BlockingCollection<object>();
        var run = new RunContext(id, configText, new CheckpointStore(folder.Checkpoints), allowConfigChange);
        // Akka's own log (stack traces) goes to the run folder's dash.log, not the terminal (also to stderr with --verbose).
        var logging = ActorSystemConfig.LogTo(Path.Combine(folder.Path, "dash.log"), console.Verbose);
        var node = cluster?.Start(logging.WithFallback(journal.ToHocon()), engines.Factory, settings.Sampling.Samplers);
        using var system = node?.System ?? ActorSystem.Create("dash", logging.WithFallback(journal.ToHocon()).WithFallback(RunEventSerializer.Hocon).WithFallback(ActorSystemConfig.Base));
        using var cancel = new CtrlC();
        try
        {
            var listener = system.ActorOf(Props.Create(() => new Forwarder(inbox)), "listener");
            if (node is null)
            {
                system.ActorOf(RunSupervisorActor.Props(
                    parent => TrainingCoordinatorActor.Props(settings, engines.Data, engines.Factory, parent, run), listener), "run");
            }
            else
            {
                // The coordinator is a cluster singleton: it runs on the oldest coordinator node and moves on failure.
                var parts = new ClusterParts(settings, engines.Factory, node.Settings.Transfer);
                node.StartCoordinator(RunSupervisorActor.Props(
                    parent => TrainingCoordinatorActor.Props(settings, engines.Data, parts, parent, run), listener));
                node.RunEnded.ContinueWith(t => inbox.Add(t.Result), TaskScheduler.Default);
                console.Out.WriteLine($"Coordinator node {node.Address} ({string.Join(",", node.Settings.Roles)}); the run starts when a sampler node joins.");
            }
            object? end = null;
            display.Live(() =>
            {
                foreach (var message in inbox.GetConsumingEnumerable(cancel.Token))
                {
                    display.On(message);
                    if (artifacts is null)
                    {
                        var now = Fold(folder);
                        artifacts = new RunArtifacts(folder, now);
                        var already = message is StepReport sr && now.Steps.Any(x => x.Step == sr.Step)
                                      || message is EvalReport er && now.Evals.Any(x => x.Step == er.Step);
                        if (!already) artifacts.On(message);
                    }
                    else
                    {
                        artifacts.On(message);
                    }
                    if (message is RunEnded ended)
                    {
                        // Another coordinator node finished the run (this one was on standby).
                        var state = Fold(folder);
                        var evals = state.Evals.Select(e => JsonSerializer.Deserialize<EvalReport>(e.ReportJson)!).ToArray();
                        end = new TrainingFinished(state.NextStep, state.Last?.PolicyVersion ?? 0, evals.FirstOrDefault(), evals.LastOrDefault(), 0, []);
                        return;
                    }
                    if (message is TrainingFinished or TrainingFailed)
                    {
                        end = message;
                        return;
                    }
                }
            });
            switch (end)
            {
                case TrainingFinished f:
                    (artifacts ?? new RunArtifacts(folder, Fold(folder))).Finish(f, settings.Algorithm);
                    return (f, folder);
                case TrainingFailed failed:
                    throw new UserException(failed.Reason);
                default:
                    return (null, folder);
            }
        }
        catch (OperationCanceledException)
        {
            console.Err.WriteLine($"dash: interrupted. Everything up to the last committed step is saved; run the same command to resume {id}.");
            return (null, folder);
        }
        finally
        {
            // A cluster node leaves gracefully (the singleton hands over at once); a local system just stops.
            if (node is not null) node.Leave(TimeSpan.FromSeconds(15));
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }
}
