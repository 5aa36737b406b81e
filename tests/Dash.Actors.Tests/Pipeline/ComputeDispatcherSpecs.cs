// Verifiers and the advantage filter share a dispatcher of exactly dash.verifier.threads threads, apart from the model actors'.
using Akka.Actor;
using Dash.Actors.Engines;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Pipeline;

public sealed class ComputeDispatcherSpecs
{
    private static VerifierSettings Verifier(int workers, int threads = 0) => new(workers, 50, 0f, threads);

    [Theory]
    [InlineData(2, 2, 2, 0, 1)]   // 2-core laptop: one sampler and the learner leave no core; the pool still gets one thread.
    [InlineData(16, 9, 2, 0, 3)]  // 16-core GPU node, 8 samplers + learner: 7 cores left, 2 workers + the filter use 3.
    [InlineData(16, 9, 6, 0, 7)]  // ... with 6 workers: all 7.
    [InlineData(16, 1, 2, 0, 3)]  // A learner-only coordinator node.
    [InlineData(2, 2, 2, 4, 4)]   // Explicit dash.verifier.threads wins.
    public void Should_size_the_pool_by_the_cores_the_model_actors_leave(int cores, int modelThreads, int workers, int threads, int expected)
    {
        Assert.Equal(expected, Dispatchers.ComputeThreads(Verifier(workers, threads), modelThreads, cores));
    }

    [Fact]
    public void Should_read_the_thread_setting_with_auto_as_default()
    {
        Assert.Equal(0, ConfigLoader.Load().Settings.Verifier.Threads);
        Assert.Equal(3, ConfigLoader.Load(sets: ["verifier.threads=3"]).Settings.Verifier.Threads);
        Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["verifier.threads=-1"]));
    }

    [Fact]
    public void Should_put_the_verifier_pool_and_the_filter_on_the_compute_dispatcher()
    {
        var settings = ConfigLoader.Load().Settings;

        Assert.Equal(Dispatchers.Compute, RewardVerifierActor.PoolProps(new NoEngines(), 2).Dispatcher);
        Assert.Equal(Dispatchers.Compute, AdvantageFilterActor.Props(settings, Akka.Actor.ActorRefs.Nobody).Dispatcher);
    }

    [Fact]
    public void Should_run_compute_actors_on_exactly_the_configured_threads()
    {
        using var system = ActorSystem.Create("compute", Dispatchers.ComputeHocon(2).WithFallback(ActorSystemConfig.Base));
        var probe = new Concurrency(6);
        for (var i = 0; i < 6; i++)
            system.ActorOf(Props.Create(() => new Busy(probe)).WithDispatcher(Dispatchers.Compute)).Tell("work");

        Assert.True(probe.Done.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, probe.Peak);
        Assert.Equal(2, probe.Threads.Count);
    }

    private sealed class Concurrency(int actors)
    {
        private readonly Lock _gate = new();
        private int _running;
        public CountdownEvent Done { get; } = new(actors);
        public int Peak { get; private set; }
        public HashSet<int> Threads { get; } = [];

        public void Work()
        {
            lock (_gate)
            {
                Peak = Math.Max(Peak, ++_running);
                Threads.Add(Environment.CurrentManagedThreadId);
            }
            Thread.Sleep(150);
            lock (_gate) _running--;
            Done.Signal();
        }
    }

    /// <summary>Props only: no model engine is ever made (Akka evaluates the verifier's scorer argument at once).</summary>
    private sealed class NoEngines : IEngineFactory, IRewardScorer
    {
        public IPolicySampler CreateSampler(int samplerId) => throw new NotSupportedException();
        public IPolicyLearner CreateLearner() => throw new NotSupportedException();
        public IRewardScorer CreateScorer() => this;
        public (float Reward, bool Correct) Score(string goldAnswer, string completion) => (0f, false);
    }

    private sealed class Busy : ReceiveActor
    {
        public Busy(Concurrency probe) => Receive<string>(_ => probe.Work());
    }
}
