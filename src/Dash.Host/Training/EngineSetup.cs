// Wires a run's settings to its real engines: model replicas, tokenizer, task data and the verifier.
using Dash.Actors.Engines;
using Dash.Actors.Engines.Torch;
using Dash.Actors.Settings;

namespace Dash.Host.Training;

internal sealed record Engines(IEngineFactory Factory, ITrainingData Data, string Description);

internal static class EngineSetup
{
    public static Engines Create(DashSettings settings, string? initFrom = null)
    {
        CheckDevice(settings);
        var models = new PolicyModels(settings.Model, settings.Run.Seed, initFrom);
        var source = TaskTrainingData.Load(settings.Task, settings.Run.Seed, settings.Run.EvalProblems);
        var data = new TaskTrainingData(source, models.Tokenizer, TaskTrainingData.Template(settings.Task.Template, source, settings.Model.Dir), settings.Task.MaxPromptTokens);
        return new Engines(new TorchEngineFactory(settings, models), data, $"{models.Description}, task {source.Name}");
    }

    /// <summary>Fails in one line, before any run starts, when the configured device is not usable here (for example
    /// cuda on a CPU-only build), instead of from inside the first model-owning actor.</summary>
    public static void CheckDevice(DashSettings settings) =>
        Dash.Model.Runtime.DeviceSpec.Parse(settings.Model.Device, "dash.model.device").ToTorch("dash.model.device");
}
