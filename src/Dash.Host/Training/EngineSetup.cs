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
        var models = new PolicyModels(settings.Model, settings.Run.Seed, initFrom);
        var source = TaskTrainingData.Load(settings.Task, settings.Run.Seed, settings.Run.EvalProblems);
        var data = new TaskTrainingData(source, models.Tokenizer, TaskTrainingData.Template(settings.Task.Template, source), settings.Task.MaxPromptTokens);
        return new Engines(new TorchEngineFactory(settings, models), data, $"{models.Description}, task {source.Name}");
    }
}
