// One process's membership in a Dash cluster: its actor system, and the coordinator singleton and/or samplers it hosts.
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Akka.Remote.Transport.DotNetty;
using Dash.Actors.Engines;
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;

namespace Dash.Actors.Cluster;

/// <summary>
/// A cluster node. Every node runs a small agent (<c>/user/dash-node</c>) that hears when the run ends; sampler nodes
/// run <c>/user/dash-samplers</c>, whose samplers register with the coordinator when it greets them; coordinator nodes
/// run the singleton manager that keeps exactly one coordinator (with its learner) alive on the oldest of them.
/// </summary>
public sealed class DashNode : IDisposable
{
    /// <summary>The actor system name every node shares (part of every address).</summary>
    public const string SystemName = "dash";

    private readonly TaskCompletionSource<RunEnded> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DashNode(ActorSystem system, ClusterNodeSettings settings)
    {
        System = system;
        Settings = settings;
        system.ActorOf(Props.Create(() => new NodeAgent(_ended)), ClusterRoles.NodeAgentName);
    }

    public ActorSystem System { get; }
    public ClusterNodeSettings Settings { get; }

    /// <summary>Completes when the coordinator says the run is over.</summary>
    public Task<RunEnded> RunEnded => _ended.Task;

    /// <summary>Completes, with the reason, when this sampler node refused the coordinator's run (its settings differ).</summary>
    public Task<string> Refused => _refused.Task;

    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>Starts the node's actor system (it joins the seed nodes in the background).</summary>
    /// <param name="extra">More configuration under the node's (the journal on coordinator nodes, test settings).</param>
    public static DashNode Start(ClusterNodeSettings settings, Config? extra = null)
    {
        var config = settings.Config
            .WithFallback(extra ?? Config.Empty)
            .WithFallback(RunEventSerializer.Hocon)
            .WithFallback(ActorSystemConfig.Base);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var full = settings.Tls is { } tls ? setup.And(TlsSetup(tls)) : ActorSystemSetup.Create(setup);
        var system = ActorSystem.Create(SystemName, full);
        // The first node of a cluster (no seed nodes given) forms it by joining itself.
        if (settings.SeedNodes.Length == 0) Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress);
        return new DashNode(system, settings);
    }

    /// <summary>
    /// TLS with mutual authentication where a peer is accepted only if its certificate chains to the configured CA
    /// (not to the machine's trust store: a certificate from a public CA, or a self-signed one, is refused).
    /// </summary>
    public static DotNettySslSetup TlsSetup(TlsSettings tls)
    {
        var own = X509CertificateLoader.LoadPkcs12FromFile(tls.Certificate, tls.Password, X509KeyStorageFlags.Exportable);
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(tls.Ca));
        return new DotNettySslSetup(own, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            customValidator: (certificate, _, peer, _, log) =>
            {
                if (certificate is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                var ok = chain.Build(certificate);
                if (!ok)
                    log?.Warning("refused {0}: its certificate {1} does not chain to the cluster CA ({2})", peer, certificate.Subject,
                        string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
                return ok;
            });
    }

    /// <summary>Waits until this node is Up in the cluster; false on timeout.</summary>
    public bool WaitUntilUp(TimeSpan timeout)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(System).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task.Wait(timeout);
    }

    /// <summary>Sampler role: <paramref name="count"/> sampler actors (each with its own model replica and thread).</summary>
    /// <param name="settings">This node's training settings (config.conf text): checked against the coordinator's when it
    /// greets (empty: not checked).</param>
    public IActorRef StartSamplers(IEngineFactory factory, int count, string settings = "") =>
        System.ActorOf(Props.Create(() => new SamplerHost(factory, count, settings, _refused)), ClusterRoles.SamplerHostName);

    /// <summary>
    /// Coordinator role: the singleton manager. <paramref name="coordinator"/> makes the singleton's props on whichever
    /// coordinator node hosts it (it replays the run journal there and continues).
    /// </summary>
    public IActorRef StartCoordinator(Props coordinator) =>
        System.ActorOf(ClusterSingletonManager.Props(coordinator, PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(System).WithRole(ClusterRoles.Coordinator).WithSingletonName("run")), ClusterRoles.CoordinatorManagerName);

    /// <summary>Leaves the cluster gracefully (hands the singleton over) and stops the actor system.</summary>
    public void Leave(TimeSpan timeout) =>
        CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).Wait(timeout);

    public void Dispose()
    {
        System.Terminate().Wait(TimeSpan.FromSeconds(30));
        System.Dispose();
    }

    private sealed class NodeAgent : ReceiveActor
    {
        public NodeAgent(TaskCompletionSource<RunEnded> ended)
        {
            Receive<RunEnded>(m => ended.TrySetResult(m));
            // A node that quarantined this one has removed it from the cluster (downed it while it was unreachable, e.g.
            // frozen) and will never talk to it again. Thawed, such a node does not always learn that from gossip: it can
            // see the others unreachable and, alone, down them and take over the coordinator singleton. End it as a
            // downed node ends (its actor system terminates, which the host reports as removed, exit 3).
            Receive<ThisActorSystemQuarantinedEvent>(q =>
            {
                Context.GetLogger().Warning("{0} quarantined this node: the cluster removed it; shutting down", q.RemoteAddress);
                CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterDowningReason.Instance);
            });
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));
    }

    /// <summary>Owns a sampler node's samplers; forwards the coordinator's greeting to each (they answer it directly).</summary>
    private sealed class SamplerHost : ReceiveActor
    {
        public SamplerHost(IEngineFactory factory, int count, string settings, TaskCompletionSource<string> refused)
        {
            var children = new List<IActorRef>();
            for (var i = 0; i < count; i++)
                children.Add(Context.ActorOf(SamplerActor.Props(i, factory, new SamplerActor.CoordinatorLink()), $"sampler-{i}"));
            Receive<CoordinatorHello>(m =>
            {
                // A sampler with other settings would change the run's results unseen: this node does not register.
                if (SamplerNodes.SettingsMismatch(m.RunId, m.Settings, settings) is { } reason) refused.TrySetResult(reason);
                else children.ForEach(c => c.Forward(m));
            });
        }
    }
}

/// <summary>Cluster mode: samplers live on sampler nodes and register when the coordinator greets them.</summary>
public sealed class ClusterParts(DashSettings settings, IEngineFactory factory, WeightTransferSettings transfer) : PipelineParts(settings, factory)
{
    public override bool Cluster => true;

    public override void StartSamplers(IUntypedActorContext context, IActorRef coordinator)
    {
        // None here: every sampler node's samplers register after CoordinatorHello.
    }

    public override Props Learner(CheckpointStore? checkpoints, string? resumeFrom, string? behaviourFrom) =>
        GradientAccumulatorActor.Props(Settings, Factory, checkpoints, resumeFrom, transfer, behaviourFrom);
}
