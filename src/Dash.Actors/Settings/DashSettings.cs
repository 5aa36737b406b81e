// Reads and validates the training configuration (hocon/dash.conf + preset + user overrides), naming any bad key.
using Akka.Configuration;

namespace Dash.Actors.Settings;

/// <summary>A configuration mistake the user can fix; the message names the key.</summary>
public sealed class SettingsException(string message) : Exception(message);

public enum LossAggregation { DrGrpo, TokenMean, SequenceMean }

public enum LearningMode { Rl, Sft }

public sealed record RunSettings(int Seed, int Steps, string RunsDir, string Id, int EvalEvery, int EvalProblems);

public sealed record TaskSettings(string Name, string DataDir, int[] Levels, string Template, int MaxPromptTokens)
{
    /// <summary>Built-in task: the fraction of warm-up references that state the result at once (dash.task.terse-fraction).</summary>
    public double TerseFraction { get; init; }

    /// <summary>Built-in task: whose reference solutions supervised training imitates, warmup or human (dash.task.references).</summary>
    public string References { get; init; } = "warmup";
}

public sealed record ModelSettings(string Dir, string Device, int Threads, int WarmupSteps, double WarmupLearningRate, int WarmupBatch,
    string Dtype = "float32", bool MemoryCheck = true)
{
    /// <summary>Whether this process's model-owning actors share one thread (dash.model.share-cpu-thread): auto, on or off.</summary>
    public string ShareCpuThread { get; init; } = "auto";

    /// <summary>The warm-up run's dash.coordinator.checkpoint-every (dash.model.warmup-checkpoint-every).</summary>
    public int WarmupCheckpointEvery { get; init; } = 1;
}

public sealed record SamplerSettings(
    int PromptsPerStep, int GroupSize, int BatchSize, bool Preemptive, int Samplers,
    float Temperature, int TopK, float TopP, int MaxNewTokens)
{
    /// <summary>Devices the samplers are spread over, round-robin (dash.sampling.devices); empty = dash.model.device.</summary>
    public string[] Devices { get; init; } = [];

    /// <summary>One sampler per listed device, none shared with another actor of the process (dash.sampling.exclusive-devices).</summary>
    public bool ExclusiveDevices { get; init; }

    /// <summary>How many optimizer steps the samplers' weights may trail the learner's (dash.sampling.max-policy-lag):
    /// 0 = on-policy (step t samples with v_t, the weights after t optimizer steps); 1 = step t samples with v_{t−1}
    /// while the learner computes v_t from step t − 1 (step 0 with v_0).</summary>
    public int MaxPolicyLag { get; init; }
}

public sealed record AdvantageSettings(bool ScaleByStd, float FilterTau);

public sealed record LearningSettings(
    LearningMode Mode, int MicroBatchSize, int MicroBatchTokens, int PpoEpochs, int MiniBatches, float ClipEpsilon,
    float KlBeta, LossAggregation Aggregation, double LearningRate, string LrSchedule, int LrWarmupSteps,
    double WeightDecay, double MaxGradNorm)
{
    /// <summary>The learner's device (dash.learning.device); empty = dash.model.device.</summary>
    public string Device { get; init; } = "";

    /// <summary>The frozen KL reference model's device (dash.learning.reference-device); empty = the learner's.</summary>
    public string ReferenceDevice { get; init; } = "";
}

/// <param name="Threads">Threads of the dispatcher the verifier pool and the advantage filter share (0 = auto).</param>
public sealed record VerifierSettings(int Workers, int BudgetMs, float FormatReward, int Threads = 0);

/// <param name="Overlap">Learning starts on a step's first micro-batches while later shards are still sampled (dash.pipeline.overlap).</param>
public sealed record PipelineSettings(bool Overlap);

/// <summary>The looser answer rules a training reward may opt into beside the task's format (all off: the paper's reward).</summary>
public sealed record RewardSettings(bool AnswerPhrase, bool LastMath, bool WholeText, bool LastNumber)
{
    /// <summary>Only the task's answer format.</summary>
    public static RewardSettings FormatOnly { get; } = new(false, false, false, false);
}

/// <summary>How the coordinator keeps a run (dash.coordinator.*): none of it changes what is trained.</summary>
/// <param name="KeepLast">Checkpoints kept besides the best one (dash.coordinator.keep-last).</param>
/// <param name="SnapshotEvery">Journal events between snapshots of the run's state; 0 = none (dash.coordinator.snapshot-every).</param>
/// <param name="MaxRestarts">Coordinator restarts without progress before the run stops (dash.coordinator.max-restarts).</param>
/// <param name="Regreet">Interval of greetings to sampler nodes with no registered sampler (dash.coordinator.regreet-seconds).</param>
public sealed record CoordinatorSettings(int KeepLast, int SnapshotEvery, int MaxRestarts, TimeSpan Regreet)
{
    /// <summary>Steps between checkpoints (dash.coordinator.checkpoint-every): 1 = after every step. The last step and
    /// every evaluated one are always saved (<see cref="Pipeline.RunDecisions.CheckpointDue"/>).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>hocon/dash.conf's values.</summary>
    public static CoordinatorSettings Default => Defaults.Value;

    private static readonly Lazy<CoordinatorSettings> Defaults = new(() => Read(new SettingsReader(ConfigLoader.Defaults)));

    internal static CoordinatorSettings Read(SettingsReader r) => new(
        r.Int("dash.coordinator.keep-last", min: 1), r.Int("dash.coordinator.snapshot-every", min: 0, off: 0),
        r.Int("dash.coordinator.max-restarts", min: 0), r.Seconds("dash.coordinator.regreet-seconds", min: 0.1))
    {
        CheckpointEvery = r.Int("dash.coordinator.checkpoint-every", min: 1),
    };
}

public enum JournalKind { Sqlite, Postgres }

/// <summary>Where run journals live; <paramref name="PostgresConnectionString"/> is resolved from the variable or file (postgres only).</summary>
public sealed record PersistenceSettings(JournalKind Journal, string ConnectionStringEnv, string ConnectionStringFile, string? PostgresConnectionString)
{
    /// <summary>Resolves the PostgreSQL connection string: the environment variable, else the file; a clear error naming both keys otherwise.</summary>
    public static string ResolveConnectionString(string variable, string file)
    {
        var fromEnv = variable.Length > 0 ? Environment.GetEnvironmentVariable(variable) : null;
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv.Trim();
        if (file.Length > 0)
        {
            if (!File.Exists(file))
                throw new SettingsException($"dash.persistence.postgres.connection-string-file = \"{file}\" does not exist (and ${variable} is not set).");
            var text = File.ReadAllText(file).Trim();
            if (text.Length == 0) throw new SettingsException($"dash.persistence.postgres.connection-string-file = \"{file}\" is empty.");
            return text;
        }
        throw new SettingsException(
            $"dash.persistence.journal = postgres needs a connection string: set the environment variable named by " +
            $"dash.persistence.postgres.connection-string-env (\"{variable}\"), or name a file in dash.persistence.postgres.connection-string-file.");
    }

    /// <summary>Keeps the connection string (it may hold a password) out of logs.</summary>
    public override string ToString() => $"PersistenceSettings {{ Journal = {Journal}, ConnectionStringEnv = {ConnectionStringEnv}, ConnectionStringFile = {ConnectionStringFile} }}";
}

/// <summary>The whole validated training configuration.</summary>
public sealed record DashSettings(
    string Algorithm, RunSettings Run, TaskSettings Task, ModelSettings Model, SamplerSettings Sampling,
    AdvantageSettings Advantage, LearningSettings Learning, VerifierSettings Verifier, PersistenceSettings Persistence)
{
    /// <summary>The reward's opt-in looser answer rules (dash.reward.*).</summary>
    public RewardSettings Reward { get; init; } = RewardSettings.FormatOnly;

    /// <summary>How work flows between the pipeline's stages (dash.pipeline).</summary>
    public PipelineSettings Pipeline { get; init; } = new(Overlap: true);

    /// <summary>
    /// Keys that can be switched off, and the number <c>off</c> stands for (hocon/dash.conf, "Conventions"): the loader
    /// writes that number into the effective configuration, so <c>off</c> and the number are the same run.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> OffValues = new Dictionary<string, string>
    {
        ["dash.run.eval-every"] = "0",
        ["dash.model.warmup-steps"] = "0",
        ["dash.sampling.top-k"] = "0",
        ["dash.sampling.top-p"] = "1.0",
        ["dash.advantage.filter-tau"] = "-1",
        ["dash.learning.micro-batch-tokens"] = "0",
        ["dash.learning.kl-beta"] = "0",
        ["dash.learning.lr-warmup-steps"] = "0",
        ["dash.learning.max-grad-norm"] = "0",
        ["dash.verifier.format-reward"] = "0",
        ["dash.coordinator.snapshot-every"] = "0",
    };

    /// <summary>How the coordinator keeps the run (dash.coordinator.*).</summary>
    public CoordinatorSettings Coordinator { get; init; } = CoordinatorSettings.Default;

    /// <summary>
    /// Parses and cross-checks an effective configuration (see <see cref="ConfigLoader"/>); a recorded one may use
    /// renamed keys' old names. <paramref name="origin"/> says where each key's value was written, for errors.
    /// </summary>
    public static DashSettings From(Config config, Func<string, string?>? origin = null)
    {
        var r = new SettingsReader(SettingsLayers.Upgrade(config), origin);
        var algorithm = r.String("dash.algorithm");
        var run = new RunSettings(
            r.Int("dash.run.seed"), r.Int("dash.run.steps", min: 0), r.String("dash.run.runs-dir"), r.String("dash.run.id"),
            r.Int("dash.run.eval-every", min: 0, off: 0), r.Int("dash.run.eval-problems", min: 0));
        var task = new TaskSettings(
            r.String("dash.task.name"), r.String("dash.task.data-dir"), r.IntList("dash.task.levels", 1, 6), r.Choice("dash.task.template", "raw", "qwen-chat", "chat", "few-shot"),
            r.Int("dash.task.max-prompt-tokens", min: 1))
        {
            TerseFraction = r.Double("dash.task.terse-fraction", min: 0, max: 1),
            References = r.Choice("dash.task.references", "warmup", "human"),
        };
        var model = new ModelSettings(r.String("dash.model.dir"), r.Device("dash.model.device"), r.Int("dash.model.threads", min: 1, max: 256),
            r.Int("dash.model.warmup-steps", min: 0, off: 0), r.Double("dash.model.warmup-learning-rate", min: 0), r.Int("dash.model.warmup-batch", min: 1),
            r.Choice("dash.model.dtype", "float32", "bfloat16"), r.Bool("dash.model.memory-check"))
        {
            ShareCpuThread = r.Choice("dash.model.share-cpu-thread", "auto", "on", "off"),
            WarmupCheckpointEvery = r.Int("dash.model.warmup-checkpoint-every", min: 1),
        };
        var sampling = new SamplerSettings(
            r.Int("dash.sampling.prompts-per-step", min: 1), r.Int("dash.sampling.group-size", min: 1),
            r.Int("dash.sampling.batch-size", min: 1), r.Bool("dash.sampling.preemptive"), r.Int("dash.sampling.samplers", min: 1, max: 1024),
            r.Float("dash.sampling.temperature", min: 0), r.Int("dash.sampling.top-k", min: 0, off: 0),
            r.Float("dash.sampling.top-p", min: 0, max: 1, off: 1), r.Int("dash.sampling.max-new-tokens", min: 1))
        {
            Devices = r.DeviceList("dash.sampling.devices"),
            ExclusiveDevices = r.Bool("dash.sampling.exclusive-devices"),
            MaxPolicyLag = r.Int("dash.sampling.max-policy-lag", min: 0, max: 1),
        };
        var advantage = new AdvantageSettings(r.Bool("dash.advantage.scale-by-std"), r.Float("dash.advantage.filter-tau", off: -1));
        var learning = new LearningSettings(
            r.Choice("dash.learning.mode", "rl", "sft") == "sft" ? LearningMode.Sft : LearningMode.Rl,
            r.Int("dash.learning.micro-batch-size", min: 1), r.Int("dash.learning.micro-batch-tokens", min: 0, off: 0),
            r.Int("dash.learning.ppo-epochs", min: 1), r.Int("dash.learning.mini-batches", min: 1),
            r.Float("dash.learning.clip-epsilon", min: 0), r.Float("dash.learning.kl-beta", min: 0, off: 0),
            r.Choice("dash.learning.loss-aggregation", "dr-grpo", "token-mean", "sequence-mean") switch
            {
                "token-mean" => LossAggregation.TokenMean,
                "sequence-mean" => LossAggregation.SequenceMean,
                _ => LossAggregation.DrGrpo,
            },
            r.Double("dash.learning.learning-rate", min: 0), r.Choice("dash.learning.lr-schedule", "linear", "constant"),
            r.Int("dash.learning.lr-warmup-steps", min: 0, off: 0), r.Double("dash.learning.weight-decay", min: 0),
            r.Double("dash.learning.max-grad-norm", min: 0, off: 0))
        {
            Device = r.Device("dash.learning.device", allowEmpty: true),
            ReferenceDevice = r.Device("dash.learning.reference-device", allowEmpty: true),
        };
        var verifier = new VerifierSettings(
            r.Int("dash.verifier.workers", min: 1, max: 256), r.Int("dash.verifier.budget-ms", min: 1), r.Float("dash.verifier.format-reward", min: 0, off: 0),
            r.Int("dash.verifier.threads", min: 0, max: 256));
        var journal = r.Choice("dash.persistence.journal", "sqlite", "postgres") == "postgres" ? JournalKind.Postgres : JournalKind.Sqlite;
        var (variable, file) = (r.String("dash.persistence.postgres.connection-string-env"), r.String("dash.persistence.postgres.connection-string-file"));
        var persistence = new PersistenceSettings(journal, variable, file,
            journal == JournalKind.Postgres ? PersistenceSettings.ResolveConnectionString(variable, file) : null);
        var reward = new RewardSettings(
            r.Bool("dash.reward.answer-phrase"), r.Bool("dash.reward.last-math"), r.Bool("dash.reward.whole-text"), r.Bool("dash.reward.last-number"));
        var settings = new DashSettings(algorithm, run, task, model, sampling, advantage, learning, verifier, persistence)
        {
            Reward = reward,
            Coordinator = CoordinatorSettings.Read(r),
            Pipeline = new PipelineSettings(r.Bool("dash.pipeline.overlap")),
        };
        settings.CrossCheck();
        return settings;
    }

    private void CrossCheck()
    {
        if (Learning.Mode == LearningMode.Rl && Sampling.GroupSize < 2 && Advantage.FilterTau >= 0)
            throw new SettingsException(
                "dash.sampling.group-size = 1 makes every group advantage 0, so gradient filtering would drop every sample. " +
                "Use group-size >= 2 (the paper uses 4).");
        if (Learning.MiniBatches > Sampling.PromptsPerStep * Sampling.GroupSize)
            throw new SettingsException(
                $"dash.learning.mini-batches = {Learning.MiniBatches} exceeds the samples per step " +
                $"(prompts-per-step x group-size = {Sampling.PromptsPerStep * Sampling.GroupSize}).");
        if (Sampling.BatchSize < Sampling.GroupSize)
            throw new SettingsException(
                $"dash.sampling.batch-size = {Sampling.BatchSize} is smaller than dash.sampling.group-size = {Sampling.GroupSize}: " +
                "a sampler must hold at least one whole group.");
        if (Sampling.ExclusiveDevices)
        {
            if (Sampling.Devices.Length < Sampling.Samplers)
                throw new SettingsException(
                    $"dash.sampling.samplers = {Sampling.Samplers} but dash.sampling.exclusive-devices = on and dash.sampling.devices lists " +
                    $"{Sampling.Devices.Length} device(s): list one device per sampler, lower dash.sampling.samplers, or set exclusive-devices = off to share devices round-robin.");
            if (Sampling.Devices.GroupBy(DeviceName).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new SettingsException(
                    $"dash.sampling.devices lists {twice.Key} {twice.Count()} times but dash.sampling.exclusive-devices = on gives each sampler a device of its own.");
        }
        if (!Sampling.Preemptive && Learning.PpoEpochs > 1)
            throw new SettingsException("dash.learning.ppo-epochs > 1 needs dash.sampling.preemptive = on (the whole batch must exist first).");
        if (Sampling.MaxPolicyLag > 0 && Learning.Mode == LearningMode.Sft)
            throw new SettingsException("dash.sampling.max-policy-lag = 1 needs dash.learning.mode = rl: SFT samples nothing. Set max-policy-lag = 0.");
        if (Sampling.MaxPolicyLag > 0 && !Sampling.Preemptive)
            throw new SettingsException(
                "dash.sampling.max-policy-lag = 1 needs dash.sampling.preemptive = on: the GRPO baseline learns between its rounds of sampling, " +
                "so the next step's sampling cannot start early. Set max-policy-lag = 0.");
    }

    /// <summary>A device name in canonical form (<c>cuda</c> is <c>cuda:0</c>).</summary>
    private static string DeviceName(string device) => Dash.Model.Runtime.DeviceSpec.Parse(device).ToString();
}
