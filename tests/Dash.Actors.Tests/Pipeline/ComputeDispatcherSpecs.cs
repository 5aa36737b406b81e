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

    [Theory]
    [InlineData("auto", 2, true, true, 2, 2, true)]     // The default run on a 2-core CPU: a sampler and the learner, 2 torch threads each.
    [InlineData("auto", 2, true, true, 2, 4, false)]    // Enough cores for both pools.
    [InlineData("auto", 2, true, true, 1, 2, false)]    // One torch thread each on 2 cores.
    [InlineData("auto", 1, true, true, 2, 1, false)]    // A lone learner (a coordinator node) has nobody to take turns with.
    [InlineData("auto", 2, true, false, 2, 2, false)]   // A GPU among them: its actor mostly waits on the device.
    [InlineData("auto", 4, false, true, 2, 2, false)]   // Three samplers (or a policy lag) are meant to compute at the same time.
    [InlineData("on", 4, false, false, 2, 64, true)]
    [InlineData("off", 2, true, true, 2, 2, false)]
    public void Should_share_one_thread_when_the_torch_pools_would_outnumber_the_cores(string setting, int actors, bool takeTurns, bool allOnCpu, int threadsEach, int cores, bool expected)
    {
        Assert.Equal(expected, Dispatchers.SharesCpuThread(setting, actors, takeTurns, allOnCpu, threadsEach, cores));
    }

    [Fact]
    public void Should_read_the_share_setting_with_auto_as_default()
    {
        Assert.Equal("auto", ConfigLoader.Load().Settings.Model.ShareCpuThread);
        Assert.Equal("off", ConfigLoader.Load(sets: ["model.share-cpu-thread=off"]).Settings.Model.ShareCpuThread);
        Assert.Contains("dash.model.share-cpu-thread", Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["model.share-cpu-thread=maybe"])).Message);
    }

    [Theory]
    [InlineData(true, 1, 1)]
    [InlineData(false, 3, 3)]
    public void Should_run_the_model_actors_on_one_shared_thread_or_a_thread_each(bool shared, int peak, int threads)
    {
        var config = shared ? Dispatchers.SharedModelHocon.WithFallback(ActorSystemConfig.Base) : ActorSystemConfig.Base;
        using var system = ActorSystem.Create("model", config);
        var probe = new Concurrency(3);
        for (var i = 0; i < 3; i++)
            system.ActorOf(Props.Create(() => new Busy(probe)).WithDispatcher(Dispatchers.Model)).Tell("work");

        Assert.True(probe.Done.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(peak, probe.Peak);
        Assert.Equal(threads, probe.Threads.Count);
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
