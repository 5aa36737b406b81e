// Runs one training run in-process: run folder, journal (SQLite or PostgreSQL), actor system, coordinator, display and artifacts.
using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Dash.Actors.Cluster;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Host.Output;
using Dash.Model.Checkpoints;
using Dash.Model.Config;
using Dash.Tasks;

namespace Dash.Host.Training;

internal static class TrainingSession
{
    public static int Run(EffectiveConfig config, Console2 console, bool allowConfigChange, ClusterHost? cluster = null)
    {
        Cli.InitNative();
        var settings = config.Settings;
        var roles = EngineSetup.Roles(cluster?.Settings);
        EngineSetup.CheckDevice(settings, roles);
        var id = RunId(settings);
        Preflight(config, id, allowConfigChange, cluster is not null, roles);
        foreach (var warning in IgnoredTaskSettings(config)) console.Err.WriteLine("dash: warning: " + warning);
        // Coordinator nodes of one cluster share the warm-up and the run: a node waits for the one that holds it.
        var lockWait = cluster is null ? TimeSpan.Zero : ClusterLockWait;
        var (initFrom, warmup, ok) = Warmup(config, console, allowConfigChange, lockWait);
        if (!ok) return 2;
        TrainingFinished? rl;
        RunFolder rlFolder;
        try
        {
            (rl, rlFolder) = RunOne(config.Text, settings, id, console, allowConfigChange, initFrom, cluster);
        }
        catch (NodeRemovedException removed)
        {
            console.Err.WriteLine("dash: " + removed.Message);
            return ClusterHost.RemovedExitCode;
        }
        if (rl is null) return 2;
        new TrainingDisplay(console, settings.Run.Steps, 0, settings.Learning.Mode == LearningMode.Sft).Summary(rl, rlFolder.Path, warmup, settings.Learning.Mode == LearningMode.Sft ? "SFT" : "RL");
        return 0;
    }

    /// <summary>The built-in task's own keys, which a dataset task does not read.</summary>
    private static readonly string[] BuiltInTaskKeys = ["dash.task.levels", "dash.task.terse-fraction", "dash.task.references"];

    /// <summary>
    /// One line per built-in-task key the user set (in a file or with --set, not a default or preset) for a run whose
    /// task is a dataset: those keys shape only the built-in arithmetic task, and a dataset run used to ignore them
    /// without a word.
    /// </summary>
    internal static IEnumerable<string> IgnoredTaskSettings(EffectiveConfig config)
    {
        var task = config.Settings.Task.Name;
        if (string.Equals(task.Trim(), TaskInfo.DefaultTaskName, StringComparison.OrdinalIgnoreCase)) yield break;
        foreach (var key in BuiltInTaskKeys)
        {
            if (!config.Sources.TryGetValue(key, out var source) || source.StartsWith("default", StringComparison.Ordinal)
                || source.StartsWith("preset", StringComparison.Ordinal)) continue;
            yield return $"{key} ({source}) shapes only the built-in arithmetic task; task {task} does not read it.";
        }
    }

    /// <summary>How many first steps' training prompts the start-up looks through for prompts that dash.task.max-prompt-tokens cuts.</summary>
    private const int CutPromptSteps = 8;

    /// <summary>How long a coordinator node waits for another node's lock on the warm-up or the run (its hand-over).</summary>
    private static readonly TimeSpan ClusterLockWait = TimeSpan.FromMinutes(10);

    /// <summary>The run's id: <c>dash.run.id</c>, else the algorithm and seed; checked to be a plain folder name.</summary>
    public static string RunId(DashSettings settings)
    {
        var id = settings.Run.Id.Length > 0 ? settings.Run.Id : $"{settings.Algorithm}-s{settings.Run.Seed}";
        if (id.IndexOfAny(['/', '\\', ' ']) >= 0 || id is "." or "..")
            throw new UserException($"dash.run.id = \"{id}\" must be a plain folder name (letters, digits, '-', '_', '.').");
        return id;
    }

    /// <summary>
    /// Everything that can refuse a start, before any work and before a run folder or journal is created: the journals
    /// of the run and its warm-up are readable and their configuration unchanged, the model directory (verified
    /// against its manifest when Dash wrote it), tokenizer and task data load. A refused start leaves the runs folder
    /// as it was.
    /// </summary>
    private static void Preflight(EffectiveConfig config, string id, bool allowConfigChange, bool cluster, Dash.Actors.Engines.Torch.HostedRoles roles)
    {
        var settings = config.Settings;
        if (!cluster) RunLock.RefuseIfHeld(Folder(settings, id)); // Before the warm-up: another process runs this run.
        // Before the warm-up too: the disk that will hold the run has room for it.
        if (new[] { Folder(settings, id).Path, settings.Run.RunsDir }.FirstOrDefault(Directory.Exists) is { } existing)
            DiskFault.RequireRoom(Path.GetFullPath(existing));
        CheckUnchanged(config.Text, settings, id, allowConfigChange);
        if (WarmupNeeded(settings))
        {
            var (text, warm, warmId) = WarmupRun(config);
            CheckUnchanged(text, warm, warmId, allowConfigChange);
            _ = EngineSetup.Create(warm); // The warm-up's devices and memory (it runs in this process, with its own samplers).
        }
        if (settings.Model.Dir.Length > 0 && Directory.Exists(settings.Model.Dir))
        {
            CheckpointStore.VerifyFolder(settings.Model.Dir);
            ModelDirectory.Verify(settings.Model.Dir); // Config, headers, byte ranges, names and shapes; no weight is read.
        }
        _ = EngineSetup.Create(settings, roles: roles); // Devices and memory, model directory, tokenizer and task data (loaded again, with the warm-up's weights, to train).
    }

    /// <summary>Refuses (one line) a damaged journal, a changed configuration of an existing run, or a folder that holds
    /// another run's work.</summary>
    private static void CheckUnchanged(string configText, DashSettings settings, string id, bool allowConfigChange)
    {
        var folder = Folder(settings, id);
        var state = folder.JournalStore is SqliteJournal sqlite && !File.Exists(sqlite.Path) ? null : History(folder).State;
        if (state?.Started is not { } started)
        {
            CheckOwnFolder(folder, id);
            return;
        }
        if (RunDecisions.ConfigRefusal(new RunContext(id, configText, null, allowConfigChange), started) is { } refusal)
            throw new UserException(refusal);
        if (settings.Model.Dir.Length > 0 && state.LastCheckpoint is { } saved)
            CheckSameArchitecture(settings.Model.Dir, Path.Combine(folder.Checkpoints, saved.Checkpoint), id);
    }

    /// <summary>
    /// Refuses to resume a run from checkpoints of another architecture than dash.model.dir's (a model.dir changed with
    /// --allow-config-change): the resume would fail loading them, after the run folder had been written to.
    /// </summary>
    private static void CheckSameArchitecture(string modelDir, string checkpoint, string id)
    {
        var (modelPath, savedPath) = (Path.Combine(modelDir, "config.json"), Path.Combine(checkpoint, "config.json"));
        if (!File.Exists(modelPath) || !File.Exists(savedPath)) return; // the model directory's own checks say what is missing
        var (model, saved) = (ModelConfig.Load(modelPath), ModelConfig.Load(savedPath));
        var differences = new (string Key, object Model, object Saved)[]
        {
            ("model_type", model.ModelType, saved.ModelType), ("hidden_size", model.HiddenSize, saved.HiddenSize),
            ("num_hidden_layers", model.NumHiddenLayers, saved.NumHiddenLayers), ("num_attention_heads", model.NumAttentionHeads, saved.NumAttentionHeads),
            ("num_key_value_heads", model.NumKeyValueHeads, saved.NumKeyValueHeads), ("head_dim", model.HeadDim, saved.HeadDim),
            ("intermediate_size", model.IntermediateSize, saved.IntermediateSize), ("vocab_size", model.VocabSize, saved.VocabSize),
            ("tie_word_embeddings", model.TieWordEmbeddings, saved.TieWordEmbeddings), ("attention_bias", model.AttentionBias, saved.AttentionBias),
        }.Where(d => !Equals(d.Model, d.Saved)).Select(d => $"{d.Key} {d.Model} against {d.Saved}").ToArray();
        if (differences.Length > 0)
            throw new UserException($"dash.model.dir = \"{modelDir}\" is another architecture than run {id}'s checkpoints ({string.Join(", ", differences)} in " +
                                    $"{savedPath}): the run cannot go on from them with this model. Use a new --run-id to train it.");
    }

    /// <summary>
    /// Refuses to start run <paramref name="id"/> from step 0 in a folder that already holds a run's work its journal does
    /// not know: a folder copied or renamed from another run (its journal.db holds that run), a run journaled in SQLite
    /// now started with the PostgreSQL journal (or the other way round). Starting would write over its checkpoints.
    /// </summary>
    private static void CheckOwnFolder(RunFolder folder, string id)
    {
        var sqlite = folder.Journal; // journal.db, whichever journal the settings choose
        var held = File.Exists(sqlite) ? RunHistory.RunIdsIn(sqlite) : [];
        if (held.Count > 0 && folder.JournalStore is not SqliteJournal)
            throw new UserException($"{folder.Path} holds run {string.Join(", ", held)} journaled in SQLite ({sqlite}), which the PostgreSQL journal " +
                                    $"does not know: starting it there would train it again from step 0 over its checkpoints. Keep dash.persistence.journal = " +
                                    "sqlite to resume it, or give a new --run-id.");
        if (held.Count > 0)
            throw new UserException($"{sqlite} holds run {string.Join(", ", held)}, not {id}: the folder was copied or renamed, and training it as {id} " +
                                    $"would start again from step 0 over its checkpoints. Give a new --run-id (a fresh folder), or resume the run under its own name.");
        if (Directory.Exists(folder.Checkpoints) && Directory.EnumerateDirectories(folder.Checkpoints, "step-*").Any())
            throw new UserException($"{folder.Checkpoints} holds checkpoints, but the run's journal ({Where(folder.JournalStore)}) has no run {id}: it was journaled " +
                                    "elsewhere (check dash.persistence.journal and its connection), and starting it would train again from step 0 over them. " +
                                    "Point Dash at the journal that holds it, or give a new --run-id.");
    }

    private static string Where(JournalConfig journal) => journal is SqliteJournal s ? s.Path : "PostgreSQL";

    private static RunFolder Folder(DashSettings settings, string id)
    {
        var path = Path.Combine(settings.Run.RunsDir, id);
        return new RunFolder(path, JournalConfig.For(settings.Persistence, new RunFolder(path).Journal));
    }

    /// <summary>The run's full history; a journal that cannot be read is one line naming it and what to do.</summary>
    private static RunHistory History(RunFolder folder)
    {
        try
        {
            if (folder.JournalStore is PostgresJournal pg) pg.Verify();
            return folder.History();
        }
        catch (InvalidOperationException e)
        {
            throw new UserException(e.Message, e);
        }
    }

    private static bool WarmupNeeded(DashSettings settings) => settings.Model.Dir.Length == 0 && settings.Model.WarmupSteps > 0;

    private static (string Text, DashSettings Settings, string Id) WarmupRun(EffectiveConfig config)
    {
        var warm = WarmupConfig(config.Text, config.Settings);
        // Named by its configuration, so RL runs that differ only in their algorithm (dash vs grpo) share one warm-up.
        return (warm.Text, warm.Settings, "warmup-" + RunContext.TrainingHash(warm.Text)[..10]);
    }

    /// <summary>The id of the warm-up run that a run with this journaled config.conf text starts from; null when none.</summary>
    internal static string? WarmupIdOf(string configText)
    {
        var settings = DashSettings.From(ConfigurationFactory.ParseString(configText));
        return WarmupNeeded(settings) ? "warmup-" + RunContext.TrainingHash(WarmupConfig(configText, settings).Text)[..10] : null;
    }

    /// <summary>
    /// The built-in model's supervised warm-up (shared by every run with the same training settings, and done once):
    /// returns the checkpoint RL starts from. Runs in this process even on a cluster (it needs no samplers but its own).
    /// </summary>
    public static (string? InitFrom, TrainingFinished? Warmup, bool Ok) Warmup(EffectiveConfig config, Console2 console, bool allowConfigChange,
        TimeSpan lockWait = default)
    {
        var settings = config.Settings;
        if (!WarmupNeeded(settings)) return (null, null, true);
        var (warmText, warmSettings, warmId) = WarmupRun(config);
        console.Out.WriteLine($"Warm-up {warmId}: {settings.Model.WarmupSteps} supervised steps on worked solutions, so the built-in " +
                              "model is sometimes right before RL starts (dash.model.warmup-steps).");
        var (finished, folder) = RunOne(warmText, warmSettings, warmId, console, allowConfigChange, initFrom: null, cluster: null, lockWait);
        if (finished is null) return (null, null, false);
        // The warm-up's last committed checkpoint, from its whole history (RunOne has verified or rewritten it).
        var last = History(folder).State.LastCheckpoint
                   ?? throw new UserException($"the warm-up run {folder.Path} finished without a checkpoint. Move it aside and run again.");
        return (new CheckpointStore(folder.Checkpoints).PathOf(last.Checkpoint), finished, true);
    }

    /// <summary>The warm-up run's configuration: the sft preset with the warm-up's steps, learning rate and batch.</summary>
    private static (string Text, DashSettings Settings) WarmupConfig(string rlText, DashSettings rl)
    {
        var overrides = ConfigurationFactory.ParseString(string.Join("\n",
            "dash.algorithm = sft", "dash.run.id = \"\"", "dash.learning.mode = sft", "dash.advantage.filter-tau = -1", "dash.sampling.preemptive = on",
            "dash.sampling.max-policy-lag = 0", $"dash.run.steps = {rl.Model.WarmupSteps}", "dash.run.eval-every = 0",
            FormattableString.Invariant($"dash.learning.learning-rate = {rl.Model.WarmupLearningRate}"), "dash.learning.lr-schedule = constant",
            "dash.learning.lr-warmup-steps = 0", "dash.learning.ppo-epochs = 1", "dash.learning.mini-batches = 1", "dash.learning.kl-beta = 0",
            "dash.task.references = warmup", $"dash.coordinator.checkpoint-every = {rl.Model.WarmupCheckpointEvery}", $"dash.sampling.prompts-per-step = {rl.Model.WarmupBatch}", $"dash.learning.micro-batch-size = {rl.Model.WarmupBatch}"));
        var config = overrides.WithFallback(ConfigurationFactory.ParseString(rlText));
        var settings = DashSettings.From(config);
        return (ConfigLoader.Render(config, ConfigLoader.LeafPaths(ConfigLoader.Defaults)), settings);
    }

    private static RunState Fold(RunFolder folder) => History(folder).State;

    /// <summary>What a stopped run resumes from: its last committed step, or, when the steps after its newest checkpoint
    /// were committed without one (dash.coordinator.checkpoint-every), that checkpoint.</summary>
    internal static string SavedUpTo(RunState state) =>
        state.Last is { } last && state.UnsavedSteps > 0
            ? state.LastCheckpoint is not { } saved
                ? $"No checkpoint was saved yet (dash.coordinator.checkpoint-every): the run starts again from step 0"
                : $"Everything up to {saved.Checkpoint} (after step {saved.Step + 1}) is saved; steps {saved.Step + 2}–{last.Step + 1} run again (dash.coordinator.checkpoint-every)"
            : "Everything up to the last committed step is saved";

    /// <summary>Whether the last committed checkpoint matches its manifest and journaled hash (a finished run with a
    /// damaged one is resumed: the coordinator falls back and trains the lost steps again).</summary>
    private static bool LastCheckpointIntact(RunFolder folder, RunState state)
    {
        if (state.LastCheckpoint is not { } last) return true;
        try
        {
            new CheckpointStore(folder.Checkpoints).Verify(last.Checkpoint, last.Sha256);
            return true;
        }
        catch (Exception e) when (e is CheckpointException or IOException or JsonException)
        {
            return false;
        }
    }

    /// <summary>Runs (or resumes) one run to its end; null when it failed.</summary>
    private static (TrainingFinished? Finished, RunFolder Folder) RunOne(
        string configText, DashSettings settings, string id, Console2 console, bool allowConfigChange, string? initFrom, ClusterHost? cluster,
        TimeSpan lockWait = default)
    {
        var folder = Folder(settings, id);
        var journal = folder.JournalStore;
        var where = Path.GetFullPath(folder.Path);
        try
        {
            Directory.CreateDirectory(folder.Path);
            DiskFault.RequireRoom(where); // A full disk is one line now, not a journal failure later.
            File.WriteAllText(Path.Combine(folder.Path, ".write-test"), "");
            File.Delete(Path.Combine(folder.Path, ".write-test"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not DiskFullException)
        {
            if (DiskFault.Describe(e) is { } what)
                throw new DiskFullException($"the run folder {where} cannot be written: {what}. {DiskFault.Advice(what, where)}.", e);
            throw new UserException($"the run folder {where} is not writable ({e.Message}). Choose another with --runs-dir.", e);
        }
        // One writer per run, for as long as this process runs it. On a cluster the node whose coordinator singleton
        // starts takes it (a standby waits there for the old coordinator's lock).
        using var runLock = cluster is null ? RunLock.Acquire(folder, journal, lockWait) : null;
        RunLock? singletonLock = null;
        var history = History(folder);
        try
        {
            journal.Verify();
        }
        catch (InvalidOperationException e)
        {
            throw new UserException(e.Message, e);
        }

        var recovered = history.State;
        if (history.SnapshotProblem is { } damaged)
            console.Err.WriteLine($"dash: warning: run {id}: {damaged}; recovering from every event instead.");
        // Finished with at least the steps asked for: nothing to train (a changed key that may change on resume, such as
        // run.eval-every, does not reopen it; any other change was refused above or allowed with --allow-config-change).
        if (recovered.Finished && recovered.NextStep >= settings.Run.Steps && recovered.Started is not null && LastCheckpointIntact(folder, recovered))
        {
            console.Out.WriteLine($"Run {id} already finished ({recovered.NextStep} steps): nothing to train. To train it further, run the same " +
                                  $"command with a larger --steps (e.g. --steps {recovered.NextStep * 2}).");
            var evals = recovered.Evals.Select(RunDecisions.ReportOf).ToArray();
            return (new TrainingFinished(recovered.NextStep, recovered.Last?.PolicyVersion ?? 0, evals.FirstOrDefault(), evals.LastOrDefault(), 0, []), folder);
        }
        var engines = EngineSetup.Create(settings, initFrom, EngineSetup.Roles(cluster?.Settings));
        console.Out.WriteLine(recovered.Last is { } last
            ? recovered.UnsavedSteps == 0
                ? $"Resuming run {id} after step {last.Step + 1} ({engines.Description})."
                : recovered.LastCheckpoint is { } saved
                    ? $"Resuming run {id} after step {saved.Step + 1}, its newest checkpoint ({engines.Description}); steps {saved.Step + 2}–{last.Step + 1} were committed without one and run again."
                    : $"Resuming run {id} from step 0 ({engines.Description}): none of its {last.Step + 1} committed steps has a checkpoint yet (dash.coordinator.checkpoint-every), so they run again."
            : $"Training run {id}: {settings.Algorithm}, {settings.Run.Steps} steps, {engines.Description}.");
        foreach (var line in engines.Placement) console.Out.WriteLine("  " + line); // Which actor holds which device.
        if (engines.Data is TaskTrainingData task)
            foreach (var warning in task.CutPromptsWarnings(settings.Run.EvalProblems, settings.Sampling.PromptsPerStep, Math.Min(settings.Run.Steps, CutPromptSteps)))
                console.Err.WriteLine("dash: warning: " + warning);
        if (engines.Data is TaskTrainingData sft && settings.Learning.Mode == LearningMode.Sft
            && sft.CutReferencesWarning(settings.Sampling.PromptsPerStep, Math.Min(settings.Run.Steps, CutPromptSteps)) is { } cutReferences)
            console.Err.WriteLine("dash: warning: " + cutReferences);
        File.WriteAllText(folder.Config, configText);

        // A standby coordinator node starts its artifacts when the run reaches it (the journal has grown meanwhile).
        var artifacts = cluster is null ? new RunArtifacts(folder, recovered) : null;
        var display = new TrainingDisplay(console, settings.Run.Steps, recovered.NextStep, settings.Learning.Mode == LearningMode.Sft);
        var inbox = new BlockingCollection<object>();
        var run = new RunContext(id, configText, new CheckpointStore(folder.Checkpoints), allowConfigChange, IgnoreSnapshots: history.SnapshotProblem is not null)
        {
            JournalPath = journal is SqliteJournal sqlite ? Path.GetFullPath(sqlite.Path) : null,
        };
        // Akka's own log (stack traces) goes to the run folder's dash.log, not the terminal (also to stderr with --verbose).
        var logging = ActorSystemConfig.LogTo(Path.Combine(folder.Path, "dash.log"), console.Verbose);
        var node = cluster?.Start(logging.WithFallback(engines.ActorConfig).WithFallback(journal.ToHocon()), engines.Factory, settings.Sampling.Samplers);
        using var system = node?.System ?? ActorSystem.Create("dash", logging.WithFallback(engines.ActorConfig).WithFallback(journal.ToHocon()).WithFallback(RunEventSerializer.Hocon).WithFallback(ActorSystemConfig.Base));
        using var cancel = new CtrlC();
        try
        {
            var listener = system.ActorOf(Props.Create(() => new Forwarder(inbox)), "listener");
            if (node is null)
            {
                system.ActorOf(RunSupervisorActor.Props(
                    parent => TrainingCoordinatorActor.Props(settings, engines.Data, engines.Factory, parent, run), listener,
                    settings.Coordinator.MaxRestarts, committed: recovered.Steps.Count > 0), "run");
            }
            else
            {
                // The coordinator is a cluster singleton: it runs on the oldest coordinator node and moves on failure.
                var parts = new ClusterParts(settings, engines.Factory, node.Settings.Transfer);
                node.StartCoordinator(RunSupervisorActor.Props(parent =>
                {
                    if (singletonLock is null)
                    {
                        singletonLock = RunLock.Acquire(folder, journal, ClusterLockWait);
                        // On a standby this is the take-over: say so, as the coordinator's own lines then follow here.
                        inbox.Add(new NodeNote($"The coordinator of run {id} runs on this node now ({node.Address}): it replays the journal and goes on " +
                                               "after the last committed step."));
                    }
                    return TrainingCoordinatorActor.Props(settings, engines.Data, parts, parent, run);
                }, listener, settings.Coordinator.MaxRestarts, committed: recovered.Steps.Count > 0));
                node.RunEnded.ContinueWith(t => inbox.Add(t.Result), TaskScheduler.Default);
                // Downed by the others (this node was unreachable, e.g. frozen): its actor system is gone, so nothing else
                // would ever arrive here; end instead of waiting forever (and release the run's lock on the way out).
                node.System.WhenTerminated.ContinueWith(_ => inbox.Add(NodeRemoved.Instance), TaskScheduler.Default);
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
                        // When this node's coordinator finished the run, its own report (with the session's time and phases)
                        // follows the nodes' RunEnded at once: take it. Otherwise another coordinator node finished the run
                        // (this one was on standby).
                        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
                        while (inbox.TryTake(out var next, TimeSpan.FromMilliseconds(Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds))))
                        {
                            display.On(next);
                            artifacts.On(next);
                            if (next is TrainingFinished or TrainingFailed)
                            {
                                end = next;
                                return;
                            }
                        }
                        var state = Fold(folder);
                        var evals = state.Evals.Select(RunDecisions.ReportOf).ToArray();
                        end = new TrainingFinished(state.NextStep, state.Last?.PolicyVersion ?? 0, evals.FirstOrDefault(), evals.LastOrDefault(), 0, []);
                        return;
                    }
                    if (message is TrainingFinished or TrainingFailed or NodeRemoved)
                    {
                        end = message;
                        return;
                    }
                }
            });
            switch (end)
            {
                case TrainingFinished f:
                    (artifacts ?? new RunArtifacts(folder, Fold(folder))).Finish(f, settings.Algorithm, settings.Learning.Mode == LearningMode.Sft, settings.Advantage.FilterTau >= 0);
                    return (f, folder);
                case TrainingFailed failed:
                    throw new UserException(failed.Reason);
                case NodeRemoved:
                    throw new NodeRemovedException("the other coordinator node (or the run) goes on without it");
                default:
                    return (null, folder);
            }
        }
        catch (OperationCanceledException)
        {
            string kept;
            try
            {
                kept = SavedUpTo(Fold(folder));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException)
            {
                kept = "Everything up to the last committed step is saved"; // The journal could not be read back just now.
            }
            console.Err.WriteLine($"dash: interrupted. {kept}; run the same command to resume {id}.");
            return (null, folder);
        }
        finally
        {
            // A cluster node leaves gracefully (the singleton hands over at once); a local system just stops.
            if (node is not null) node.Leave(TimeSpan.FromSeconds(15));
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
            singletonLock?.Dispose();
        }
    }

    /// <summary>This node's actor system terminated under the run (the cluster downed the node).</summary>
    private sealed class NodeRemoved
    {
        public static readonly NodeRemoved Instance = new();
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }
}
