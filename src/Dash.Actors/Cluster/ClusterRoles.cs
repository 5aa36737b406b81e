// The node roles of a Dash cluster and the well-known actor names nodes find each other by.
namespace Dash.Actors.Cluster;

/// <summary>Roles a node can take (<c>dash node --role …</c>) and the names of the actors each role runs.</summary>
public static class ClusterRoles
{
    /// <summary>Hosts the coordinator singleton, its journal connection and the learner (gradient accumulator).</summary>
    public const string Coordinator = "coordinator";

    /// <summary>Runs <c>dash.sampling.samplers</c> sampler actors that register with whichever node holds the coordinator.</summary>
    public const string Sampler = "sampler";

    /// <summary>
    /// Reserved: answer verification stays in the coordinator node's verifier pool (about 100k–500k verifications/s per
    /// core, measured in bench/TASKS.md), where a network hop would cost more than the work it moves.
    /// </summary>
    public const string Verifier = "verifier";

    /// <summary>The learner lives with the coordinator (it owns the optimizer and writes the checkpoints the journal names).</summary>
    public const string Learner = "learner";

    public static readonly string[] All = [Coordinator, Sampler, Learner];

    /// <summary>Path name of the actor on every sampler node that owns its samplers (<c>/user/dash-samplers</c>).</summary>
    public const string SamplerHostName = "dash-samplers";

    /// <summary>Path name of the actor on every node that hears when the run ends (<c>/user/dash-node</c>).</summary>
    public const string NodeAgentName = "dash-node";

    /// <summary>Path name of the singleton manager on coordinator nodes (<c>/user/dash-coordinator</c>).</summary>
    public const string CoordinatorManagerName = "dash-coordinator";
}
