// Wires a run's settings to its real engines: model replicas on their devices, tokenizer, task data and the verifier.
using Akka.Configuration;
using Dash.Actors.Cluster;
using Dash.Actors.Engines;
using Dash.Actors.Engines.Torch;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Host.Training;

/// <param name="Placement">One line per model-owning actor this process hosts (its device and memory), then one per device.</param>
/// <param name="ActorConfig">The verifier/filter dispatcher sized for this node (layer it into the actor system).</param>
internal sealed record Engines(IEngineFactory Factory, ITrainingData Data, string Description, IReadOnlyList<string> Placement, Config ActorConfig);

internal static class EngineSetup
{
    /// <summary>
    /// Loads the model, tokenizer and task data, places the actors of <paramref name="roles"/> on their devices and checks
    /// that they fit (<paramref name="devices"/>: this machine unless given). Refuses in one line, before any work.
    /// </summary>
    public static Engines Create(DashSettings settings, string? initFrom = null, HostedRoles roles = HostedRoles.All, IDeviceInventory? devices = null)
    {
        CheckDevice(settings, roles);
        var models = new PolicyModels(settings.Model, settings.Run.Seed, initFrom);
        CheckContext(settings, models);
        var placement = MemoryCheck.Report(settings, models.Config, roles, devices ?? LocalDevices.Instance);
        var source = TaskTrainingData.Load(settings.Task, settings.Run.Seed, settings.Run.EvalProblems);
        var data = new TaskTrainingData(source, models.Tokenizer, TaskTrainingData.Template(settings.Task.Template, source, settings.Model.Dir), settings.Task.MaxPromptTokens)
        {
            MaxCompletionTokens = models.Config.MaxPositionEmbeddings - settings.Task.MaxPromptTokens,
        };
        return new Engines(new TorchEngineFactory(settings, models), data, $"{models.Description}, task {source.Name}", placement, ActorConfig(settings, roles));
    }

    /// <summary>
    /// Refuses a run whose longest prompt plus completion does not fit the model's positions, before anything is written:
    /// otherwise every sampler stopped on the first batch, after the run folder and its journal existed.
    /// </summary>
    private static void CheckContext(DashSettings settings, PolicyModels models)
    {
        var (prompt, completion, positions) = (settings.Task.MaxPromptTokens, settings.Sampling.MaxNewTokens, models.Config.MaxPositionEmbeddings);
        if (prompt + completion <= positions) return;
        var where = models.IsBuiltIn ? "the built-in model's" : $"max_position_embeddings in {Path.Combine(settings.Model.Dir, "config.json")},";
        throw new SettingsException($"dash.task.max-prompt-tokens = {prompt} plus dash.sampling.max-new-tokens = {completion} is {prompt + completion} " +
                                    $"tokens, more than {where} {positions}; lower one of them.");
    }

    /// <summary>Fails in one line, before any run starts, when a device of this process's actors is not usable here (for
    /// example cuda on a CPU-only build, or cuda:3 on a node with 2 GPUs), instead of from inside the first model-owning actor.</summary>
    public static void CheckDevice(DashSettings settings, HostedRoles roles = HostedRoles.All) =>
        DevicePlacement.Plan(settings, roles).Check(LocalDevices.Instance, settings.Sampling.ExclusiveDevices);

    /// <summary>The model-owning roles a process hosts: all in one process; a cluster node's by its roles.</summary>
    public static HostedRoles Roles(ClusterNodeSettings? node) => node is null
        ? HostedRoles.All
        : (node.Has(ClusterRoles.Sampler) ? HostedRoles.Samplers : HostedRoles.None) | (node.Has(ClusterRoles.Coordinator) ? HostedRoles.Learner : HostedRoles.None);

    /// <summary>
    /// The model dispatcher (a thread per model-owning actor, or one they share: <see cref="Dispatchers.SharesCpuThread"/>)
    /// and the verifier/filter dispatcher with the threads left over by this node's model-owning actors.
    /// </summary>
    public static Config ActorConfig(DashSettings settings, HostedRoles roles, int? cores = null)
    {
        var actors = DevicePlacement.Plan(settings, roles).Actors.Where(a => a.HasOwnActor).ToArray();
        var cpus = cores ?? Environment.ProcessorCount;
        var takeTurns = actors.Count(a => a.IsSampler) <= 1 && settings.Sampling.MaxPolicyLag == 0;
        var shared = Dispatchers.SharesCpuThread(settings.Model.ShareCpuThread, actors.Length, takeTurns,
            actors.All(a => a.Device.Type == TorchSharp.DeviceType.CPU), settings.Model.Threads, cpus);
        var compute = Dispatchers.ComputeHocon(Dispatchers.ComputeThreads(settings.Verifier, (shared ? Math.Min(1, actors.Length) : actors.Length) * settings.Model.Threads, cpus));
        return shared ? compute.WithFallback(Dispatchers.SharedModelHocon) : compute;
    }
}
