// Runs the real coordinator, learner, advantage filter and verifier pool against fake engines, and collects its reports.
using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.TestKit;

/// <summary>
/// A Dash run in a test. Everything but the engines is the production code: the <see cref="TrainingCoordinatorActor"/>
/// (under its <see cref="RunSupervisorActor"/>), the gradient accumulator, the advantage filter, the reward-verifier pool
/// and N <see cref="SamplerActor"/>s, with every message serialized as if it crossed the network. Each harness owns a
/// temporary folder with a real SQLite journal (<see cref="JournalPath"/>) and the runs' checkpoints; read a run back
/// with <see cref="History"/> and check it with <see cref="JournalAssert"/>. Faults: <see cref="FakeEngineFactory.KillOnce"/>
/// and <see cref="FakeEngineFactory.CrashOnce"/> (samplers), <see cref="WeightFaults"/> (weights), <see cref="JournalFaults"/>
/// (journal writes). <see cref="StartNode"/> adds cluster nodes on loopback; <see cref="Simulate"/> runs long under virtual time.
/// </summary>
public sealed partial class DashHarness : IDisposable
{
    /// <summary>A temporary folder for the journal and checkpoints, deleted on <see cref="Dispose"/>.</summary>
    public string Dir { get; } = Directory.CreateTempSubdirectory("dash-run-").FullName;

    public string JournalPath => Path.Combine(Dir, "journal.db");

    /// <summary>Planned failures of journal writes of this harness's runs (see <see cref="Run"/>).</summary>
    public JournalFaults JournalFaults => _journalFaults ??= new JournalFaults();

    private JournalFaults? _journalFaults;

    /// <summary>Planned drops and delays of weights on their way into this harness's samplers.</summary>
    public WeightFaults WeightFaults { get; } = new();

    public void Dispose()
    {
        DisposeNodes();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite handle of a terminated system can linger; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Actor-system configuration with no journal configured (Akka's in-memory one): every local message goes
    /// through its serializer, as if remote.</summary>
    public static Config InMemoryConfig => ConfigurationFactory.ParseString("""
        akka.actor.serialize-messages = on
        akka.actor.serialize-creators = off
        akka.loglevel = WARNING
        """).WithFallback(FaultMailbox.Hocon).WithFallback(ActorSystemConfig.Base);

    /// <summary>Actor-system configuration with this harness's SQLite journal (created if needed).</summary>
    public Config SqliteConfig()
    {
        var journal = new SqliteJournal(JournalPath);
        journal.Verify();
        return Config(journal.ToHocon());
    }

    /// <summary>Actor-system configuration over <paramref name="journal"/> (a journal's HOCON).</summary>
    public static Config Config(Config journal) => journal
        .WithFallback(ConfigurationFactory.ParseString("akka.actor.serialize-messages = on"))
        .WithFallback(RunEventSerializer.Hocon).WithFallback(FaultMailbox.Hocon).WithFallback(ActorSystemConfig.Base);

    /// <summary>A small, fast configuration (6 steps, 8 prompts x 4 samples, evaluation every 3 steps) with <paramref name="sets"/> on top.</summary>
    public static EffectiveConfig Settings(params string[] sets) => Preset(null, sets);

    /// <summary>Like <see cref="Settings"/> for an algorithm preset (dash, grpo, ppo-multi, ...).</summary>
    public static EffectiveConfig Preset(string? algorithm, params string[] sets) => ConfigLoader.Load(sets: [
        "run.steps=6", "run.eval-every=3", "run.eval-problems=8", "sampling.prompts-per-step=8", "sampling.group-size=4",
        "sampling.batch-size=8", "learning.micro-batch-size=8", .. sets,
    ], algorithm: algorithm);

    public CheckpointStore Checkpoints(string runId) => new(Path.Combine(Dir, runId, "checkpoints"));

    /// <summary>Everything run <paramref name="runId"/> journaled, read from the SQLite file as <c>dash runs</c> reads it.</summary>
    public RunHistory History(string runId) => RunHistory.Read(new SqliteJournal(JournalPath), runId);

    /// <summary>
    /// Runs <paramref name="runId"/> to its end in a fresh actor system on this harness's SQLite journal (or, with
    /// planned <see cref="JournalFaults"/>, on the test journal); returns what it reported and journaled.
    /// </summary>
    public RunOutcome Run(string runId, EffectiveConfig config, FakeEngineFactory factory, int maxRestarts = 3, int seconds = 120)
    {
        var faulty = _journalFaults?.Has(runId) == true;
        using var system = ActorSystem.Create("dash", faulty ? Config(JournalFaults.Hocon) : SqliteConfig());
        if (faulty) _journalFaults!.Arm(system, runId);
        var seen = Until(Start(system, runId, config, factory, maxRestarts: maxRestarts), IsEnd, seconds);
        var journal = faulty ? new RunHistory(Journals.Read(system, runId), null) : null;
        Shutdown(system);
        return new RunOutcome(seen, journal ?? History(runId));
    }

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

    /// <summary>Starts a run in <paramref name="system"/>, with checkpoints in this harness's folder; returns the queue its reports arrive in.</summary>
    public BlockingCollection<object> Start(ActorSystem system, string runId, EffectiveConfig config, FakeEngineFactory factory,
        bool allowChange = false, int maxRestarts = 3)
    {
        FaultRegistry.For(system).Weights = WeightFaults;
        return Start(system, new RunContext(runId, config.Text, Checkpoints(runId), allowChange), config.Settings, factory, maxRestarts);
    }

    /// <summary>Starts the run described by <paramref name="run"/> in <paramref name="system"/>; returns the queue its reports arrive in.</summary>
    public static BlockingCollection<object> Start(ActorSystem system, RunContext run, DashSettings settings, FakeEngineFactory factory,
        int maxRestarts = 3)
    {
        var inbox = new BlockingCollection<object>();
        var listener = system.ActorOf(Props.Create(() => new Collector(inbox)));
        system.ActorOf(RunSupervisorActor.Props(
            parent => TrainingCoordinatorActor.Props(settings, factory.Task, new HarnessParts(settings, factory), parent, run),
            listener, maxRestarts, TimeSpan.FromMilliseconds(100)));
        return inbox;
    }

    /// <summary>
    /// Trains in <paramref name="system"/> with no checkpoints (the journal is whatever the system configures; with
    /// <see cref="InMemoryConfig"/>, Akka's in-memory one) and returns every report; throws if training fails.
    /// </summary>
    public static RunOutcome Train(ActorSystem system, DashSettings settings, FakeEngineFactory factory, TimeSpan? timeout = null)
    {
        var inbox = new BlockingCollection<object>();
        var id = Guid.NewGuid().ToString("N")[..8];
        var listener = system.ActorOf(Props.Create(() => new Collector(inbox)));
        system.ActorOf(TrainingCoordinatorActor.Props(settings, factory.Task, new HarnessParts(settings, factory), listener, RunContext.InMemory(id)),
            "coordinator-" + id);
        var seen = Until(inbox, IsEnd, (int)(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds);
        return seen[^1] is TrainingFailed f ? throw new InvalidOperationException(f.Reason) : new RunOutcome(seen, null);
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

    /// <summary>The run's listener: hands every report to the test thread.</summary>
    private sealed class Collector : ReceiveActor
    {
        public Collector(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }
}
