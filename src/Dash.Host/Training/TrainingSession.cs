// Runs one training run in-process: run folder, SQLite journal, actor system, coordinator, display and artifacts.
using System.Collections.Concurrent;
using Akka.Actor;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Host.Output;

namespace Dash.Host.Training;

internal static class TrainingSession
{
    public static int Run(EffectiveConfig config, Console2 console, bool allowConfigChange)
    {
        Cli.InitNative();
        var settings = config.Settings;
        var id = settings.Run.Id.Length > 0 ? settings.Run.Id : $"{settings.Algorithm}-s{settings.Run.Seed}";
        if (id.IndexOfAny(['/', '\\', ' ']) >= 0 || id is "." or "..")
            throw new UserException($"dash.run.id = \"{id}\" must be a plain folder name (letters, digits, '-', '_', '.').");
        var folder = new RunFolder(Path.Combine(settings.Run.RunsDir, id));
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
        var journal = new SqliteJournal(folder.Journal);
        try
        {
            journal.Verify();
        }
        catch (InvalidOperationException e)
        {
            throw new UserException(e.Message, e);
        }

        var recovered = File.Exists(folder.Journal) ? folder.ReadEvents().Aggregate(RunState.Empty, (s, e) => s.Apply(e)) : RunState.Empty;
        var engines = EngineSetup.Create(settings);
        console.Out.WriteLine(recovered.Steps.Count > 0
            ? $"Resuming run {id} after step {recovered.Last!.Step} ({engines.Description})."
            : $"Training run {id}: {settings.Algorithm}, {settings.Run.Steps} steps, {engines.Description}.");
        File.WriteAllText(folder.Config, config.Text);

        var artifacts = new RunArtifacts(folder, recovered);
        var display = new TrainingDisplay(console, settings.Run.Steps, recovered.NextStep);
        var inbox = new BlockingCollection<object>();
        var run = new RunContext(id, config.Text, new CheckpointStore(folder.Checkpoints), allowConfigChange);
        using var system = ActorSystem.Create("dash", journal.ToHocon().WithFallback(RunEventSerializer.Hocon).WithFallback(ActorSystemConfig.Base));
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var listener = system.ActorOf(Props.Create(() => new Forwarder(inbox)), "listener");
            system.ActorOf(RunSupervisorActor.Props(
                parent => TrainingCoordinatorActor.Props(settings, engines.Data, engines.Factory, parent, run), listener), "run");
            object? end = null;
            display.Live(() =>
            {
                foreach (var message in inbox.GetConsumingEnumerable(cancel.Token))
                {
                    display.On(message);
                    artifacts.On(message);
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
                    artifacts.Finish(f, settings.Algorithm);
                    display.Summary(f, folder.Path);
                    return 0;
                case TrainingFailed failed:
                    throw new UserException(failed.Reason);
                default:
                    return 2;
            }
        }
        catch (OperationCanceledException)
        {
            console.Err.WriteLine($"dash: interrupted. Everything up to the last committed step is saved; run the same command to resume {id}.");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }
}
