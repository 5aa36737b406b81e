// Runs the real coordinator (under its supervisor) in a fresh ActorSystem with a real journal, collecting its reports.
using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Actors.Tests.Fakes;

namespace Dash.Actors.Tests.Persistence;

public sealed class RunHarness : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("dash-run-").FullName;

    public string JournalPath => Path.Combine(Dir, "journal.db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite handle of a terminated system can linger; the temp folder is cleaned by the OS.
        }
    }

    public Config SqliteConfig()
    {
        var journal = new SqliteJournal(JournalPath);
        journal.Verify();
        return Config(journal.ToHocon());
    }

    public static Config Config(Config journal) => journal.WithFallback(ConfigurationFactory.ParseString("akka.actor.serialize-messages = on")).WithFallback(RunEventSerializer.Hocon).WithFallback(ActorSystemConfig.Base);

    public static EffectiveConfig Settings(params string[] sets) => ConfigLoader.Load(sets: [
        "run.steps=6", "run.eval-every=3", "run.eval-problems=8", "sampling.prompts-per-step=8", "sampling.group-size=4",
        "sampling.batch-size=8", "learning.micro-batch-size=8", .. sets,
    ]);

    public CheckpointStore Checkpoints(string runId) => new(Path.Combine(Dir, runId, "checkpoints"));

    /// <summary>Runs <paramref name="runId"/> to its end in a fresh actor system made by <paramref name="newSystem"/>.</summary>
    public List<object> RunToEnd(Func<ActorSystem> newSystem, string runId, params string[] sets)
    {
        using var system = newSystem();
        var seen = Until(Start(system, runId, Settings(sets), new FakeEngineFactory()), IsEnd);
        Shutdown(system);
        return seen;
    }

    public static void Shutdown(ActorSystem system) => system.Terminate().GetAwaiter().GetResult();

    /// <summary>The fake learner's state in a run's newest checkpoint (its skill bits and version).</summary>
    public string FinalLearnerState(string runId) =>
        File.ReadAllText(Path.Combine(Directory.GetDirectories(Checkpoints(runId).Root, "step-*").Order(StringComparer.Ordinal).Last(), "learner.txt"));

    /// <summary>Starts a run in <paramref name="system"/>; returns the queue its reports arrive in.</summary>
    public BlockingCollection<object> Start(ActorSystem system, string runId, EffectiveConfig config, FakeEngineFactory factory,
        bool allowChange = false, int maxRestarts = 3)
    {
        return Start(system, new RunContext(runId, config.Text, Checkpoints(runId), allowChange), config.Settings, factory, maxRestarts);
    }

    /// <summary>Starts the run described by <paramref name="run"/> in <paramref name="system"/>; returns the queue its reports arrive in.</summary>
    public static BlockingCollection<object> Start(ActorSystem system, RunContext run, DashSettings settings, FakeEngineFactory factory, int maxRestarts = 3)
    {
        var inbox = new BlockingCollection<object>();
        var listener = system.ActorOf(Props.Create(() => new Collector(inbox)));
        system.ActorOf(RunSupervisorActor.Props(
            parent => TrainingCoordinatorActor.Props(settings, new FakeData(), factory, parent, run),
            listener, maxRestarts, TimeSpan.FromMilliseconds(100)));
        return inbox;
    }

    /// <summary>Waits for a message matching <paramref name="until"/>, returning everything seen up to and including it.</summary>
    public static List<object> Until(BlockingCollection<object> inbox, Func<object, bool> until, int seconds = 60)
    {
        var seen = new List<object>();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (inbox.TryTake(out var m, Math.Max(1, (int)(deadline - DateTime.UtcNow).TotalMilliseconds)))
        {
            seen.Add(m);
            if (until(m)) return seen;
        }
        throw new TimeoutException($"no matching message within {seconds} s; saw: {string.Join(", ", seen.Select(s => s.GetType().Name))}");
    }

    public static bool IsEnd(object m) => m is TrainingFinished or TrainingFailed;

    private sealed class Collector : ReceiveActor
    {
        public Collector(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }
}
