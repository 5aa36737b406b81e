// A process's model-owning actors share one thread where their torch thread pools would outnumber the CPU's cores.
using Akka.Configuration;
using Dash.Actors.Engines.Torch;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;
using Dash.Host.Training;

namespace Dash.Host.Tests;

public sealed class ModelDispatcherSpecs
{
    private static Config ActorConfig(int cores, HostedRoles roles = HostedRoles.All, params string[] sets) =>
        EngineSetup.ActorConfig(ConfigLoader.Load(sets: sets).Settings, roles, cores).WithFallback(ActorSystemConfig.Base);

    private static string ModelType(Config config) => config.GetString($"{Dispatchers.Model}.type");

    private static int ComputeThreads(Config config) => config.GetInt($"{Dispatchers.Compute}.fork-join-executor.parallelism-max");

    [Fact]
    public void Should_share_the_model_thread_in_the_default_run_on_two_cores()
    {
        var config = ActorConfig(2);

        Assert.Equal("Dispatcher", ModelType(config));
        Assert.Equal(1, config.GetInt($"{Dispatchers.Model}.fork-join-executor.parallelism-max"));
        Assert.Equal(1, config.GetInt($"{Dispatchers.Model}.throughput"));
    }

    [Fact]
    public void Should_give_each_model_actor_its_thread_where_the_cores_suffice_or_when_told()
    {
        Assert.Equal("PinnedDispatcher", ModelType(ActorConfig(8)));
        Assert.Equal("PinnedDispatcher", ModelType(ActorConfig(2, HostedRoles.All, "model.share-cpu-thread=off")));
        Assert.Equal("PinnedDispatcher", ModelType(ActorConfig(2, HostedRoles.Learner)));
        Assert.Equal("Dispatcher", ModelType(ActorConfig(64, HostedRoles.All, "model.share-cpu-thread=on")));
    }

    [Fact]
    public void Should_keep_a_thread_each_for_actors_meant_to_compute_at_the_same_time()
    {
        Assert.Equal("PinnedDispatcher", ModelType(ActorConfig(2, HostedRoles.All, "sampling.samplers=2")));
        Assert.Equal("PinnedDispatcher", ModelType(ActorConfig(2, HostedRoles.All, "sampling.max-policy-lag=1")));
        Assert.Equal("Dispatcher", ModelType(ActorConfig(2, HostedRoles.All, "sampling.samplers=2", "model.share-cpu-thread=on")));
    }

    [Fact]
    public void Should_count_the_kl_reference_as_part_of_the_learner()
    {
        // The reference model runs inside the learner actor: a lone learner with KL on still has nobody to share with.
        Assert.Equal("PinnedDispatcher", ModelType(ActorConfig(2, HostedRoles.Learner, "learning.kl-beta=0.04")));
    }

    [Fact]
    public void Should_leave_the_verifier_pool_the_cores_a_shared_thread_does_not_use()
    {
        // 4 cores, three samplers and the learner at 2 threads each: shared, they use 2 and leave 2; apart they would leave none.
        Assert.Equal(2, ComputeThreads(ActorConfig(4, HostedRoles.All, "sampling.samplers=3", "model.share-cpu-thread=on")));
        Assert.Equal(1, ComputeThreads(ActorConfig(4, HostedRoles.All, "sampling.samplers=3")));
    }
}
