// A node's cluster settings: roles, address, seed nodes, weight transfer and TLS, read from hocon/cluster.conf and validated.
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors.Cluster;

/// <summary>Mutual TLS for remoting: this node's certificate (PKCS#12) and the CA every peer's certificate must chain to.</summary>
public sealed record TlsSettings(string Certificate, string Password, string Ca);

/// <summary>Everything one <c>dash node</c> needs to join a cluster.</summary>
public sealed record ClusterNodeSettings(
    string[] Roles, string Hostname, int Port, string[] SeedNodes, WeightTransferSettings Transfer, TimeSpan JoinTimeout, TlsSettings? Tls, Config Config)
{
    /// <summary>hocon/cluster.conf, embedded.</summary>
    public static Config Defaults => ConfigurationFactory.ParseString(ConfigLoader.EmbeddedText("cluster.conf"));

    /// <summary>The weight transfer hocon/cluster.conf describes (in-process runs use it too).</summary>
    public static readonly Lazy<WeightTransferSettings> DefaultTransfer = new(() => ReadTransfer(new SettingsReader(Defaults)));

    public bool Has(string role) => Roles.Contains(role);

    /// <summary>The address scheme nodes use (TLS changes it).</summary>
    public string Scheme => Tls is null ? "akka.tcp" : "akka.ssl.tcp";

    /// <summary>
    /// Reads and checks a node's settings. <paramref name="sets"/> are <c>key=value</c> overrides of dash.cluster keys
    /// (the --set rule of <see cref="SettingsLayers.ParseSet"/>: <c>cluster.ack-window=8</c> or <c>dash.cluster.ack-window=8</c>);
    /// <paramref name="files"/> are extra HOCON files layered over hocon/cluster.conf.
    /// </summary>
    public static ClusterNodeSettings Load(IEnumerable<string> roles, string hostname, int port, IEnumerable<string> seedNodes,
        IEnumerable<string>? files = null, IEnumerable<string>? sets = null)
    {
        var defaults = Defaults;
        var known = ConfigLoader.LeafPaths(defaults).Where(k => k.StartsWith("dash.", StringComparison.Ordinal)).ToHashSet();
        var layers = new List<SettingsLayer>();
        foreach (var set in (sets ?? []).Reverse()) layers.Add(SettingsLayers.ParseSet(set));
        foreach (var file in (files ?? []).Reverse()) layers.Add(SettingsLayers.ParseFile(file, "--cluster-config"));
        // Files may also tune Akka (akka.*); every dash.* key must be one of hocon/cluster.conf's.
        foreach (var layer in layers) SettingsLayers.CheckKnown(layer, known, "hocon/cluster.conf lists every cluster key.", k => k.StartsWith("dash.", StringComparison.Ordinal));
        var config = SettingsLayers.Merge(layers, defaults);
        var r = new SettingsReader(config, key => SettingsLayers.Origin(layers, key));

        var roleList = roles.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToArray();
        if (roleList.Length == 0) throw new SettingsException($"--role is required: one or more of {string.Join(", ", ClusterRoles.All)} (comma-separated).");
        foreach (var role in roleList)
            if (role == ClusterRoles.Verifier)
                throw new SettingsException("--role verifier: answers are verified in the coordinator node's verifier pool (dash.verifier.workers); " +
                                            "at ~100k-500k verifications/s per core a separate node would only add a network hop. Use coordinator,learner or sampler.");
            else if (!ClusterRoles.All.Contains(role)) throw new SettingsException($"--role {role}: unknown role; choose from {string.Join(", ", ClusterRoles.All)}.");
        // The learner lives inside the coordinator singleton (it owns the optimizer and the checkpoints the journal names).
        if (roleList.Contains(ClusterRoles.Learner) && !roleList.Contains(ClusterRoles.Coordinator))
            throw new SettingsException("--role learner: the learner runs with the coordinator (it writes the checkpoints the coordinator journals); " +
                                        "use `--role coordinator,learner` (or just coordinator).");
        if (roleList.Contains(ClusterRoles.Coordinator) && !roleList.Contains(ClusterRoles.Learner)) roleList = [.. roleList, ClusterRoles.Learner];
        if (port is < 0 or > 65535) throw new SettingsException($"--port {port}: must be between 0 and 65535.");

        var tls = r.Bool("dash.cluster.tls.enabled") ? ReadTls(r) : null;
        var scheme = tls is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = seedNodes.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => NormalizeSeed(s, scheme)).ToArray();

        var transfer = ReadTransfer(r);
        var joinTimeout = r.Seconds("dash.cluster.join-timeout-seconds", min: 1);

        var node = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp.hostname = "{{hostname}}"
            akka.remote.dot-netty.tcp.port = {{port}}
            akka.remote.dot-netty.tcp.enable-ssl = {{(tls is null ? "off" : "on")}}
            akka.cluster.roles = [{{string.Join(", ", roleList.Select(r => $"\"{r}\""))}}]
            akka.cluster.seed-nodes = [{{string.Join(", ", seeds.Select(s => $"\"{s}\""))}}]
            """);
        return new ClusterNodeSettings(roleList, hostname, port, seeds, transfer,
            joinTimeout, tls, node.WithFallback(config));
    }

    /// <summary>Accepts <c>host:port</c> or a full <c>akka.tcp://dash@host:port</c> address.</summary>
    private static string NormalizeSeed(string seed, string scheme)
    {
        if (seed.Contains("://", StringComparison.Ordinal))
        {
            // Transport adapters add to the scheme (tests use "akka.trttl.tcp"); TLS or not must match.
            var protocol = seed[..seed.IndexOf("://", StringComparison.Ordinal)];
            if (!protocol.StartsWith("akka.", StringComparison.Ordinal) || protocol.Contains(".ssl.", StringComparison.Ordinal) != scheme.Contains(".ssl.", StringComparison.Ordinal))
                throw new SettingsException($"--seed-nodes {seed}: with TLS {(scheme == "akka.tcp" ? "off" : "on")} addresses start with {scheme}://.");
            return seed;
        }
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var p) || p is <= 0 or > 65535)
            throw new SettingsException($"--seed-nodes {seed}: expected host:port (for example 10.0.0.5:4053) or {scheme}://{DashNode.SystemName}@host:port.");
        return $"{scheme}://{DashNode.SystemName}@{seed[..colon]}:{p}";
    }

    private static WeightTransferSettings ReadTransfer(SettingsReader r)
    {
        var chunk = r.Bytes("dash.cluster.weight-chunk", min: 4096, max: int.MaxValue);
        var frame = r.Bytes("akka.remote.dot-netty.tcp.maximum-frame-size", min: 4096);
        if (chunk + 64 * 1024 > frame)
            throw r.Bad("dash.cluster.weight-chunk", $"dash.cluster.weight-chunk ({chunk} bytes) plus its envelope does not fit in " +
                                                     $"akka.remote.dot-netty.tcp.maximum-frame-size ({frame} bytes): lower the chunk or raise the frame size on every node.");
        return new WeightTransferSettings((int)chunk, r.Int("dash.cluster.ack-window", min: 1))
        {
            StallAfter = r.Seconds("dash.cluster.weight-stall-seconds", min: 0.1),
        };
    }

    private static TlsSettings ReadTls(SettingsReader r)
    {
        var cert = r.String("dash.cluster.tls.certificate");
        var ca = r.String("dash.cluster.tls.ca");
        var variable = r.String("dash.cluster.tls.password-env");
        if (cert.Length == 0 || !File.Exists(cert))
            throw r.Bad("dash.cluster.tls.certificate", $"dash.cluster.tls.certificate = \"{cert}\": TLS is on but this node's certificate file does not exist " +
                                                         "(make test certificates with scripts/make-test-ca.sh).");
        if (ca.Length == 0 || !File.Exists(ca))
            throw r.Bad("dash.cluster.tls.ca", $"dash.cluster.tls.ca = \"{ca}\": TLS is on but the CA certificate file does not exist.");
        var given = variable.Length > 0 ? Environment.GetEnvironmentVariable(variable) : null;
        var password = given ?? "";
        // Opened here, before the node starts or writes anything, so a wrong password is one line and not a trace.
        try
        {
            using var _ = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(cert, password);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            var which = variable.Length == 0 ? "no password (dash.cluster.tls.password-env is empty)"
                : given is null ? $"no password: ${variable} is not set" : $"the password in ${variable}";
            throw r.Bad("dash.cluster.tls.certificate", $"dash.cluster.tls.certificate = \"{cert}\" cannot be opened with {which} ({e.Message.TrimEnd('.')}). " +
                                                         $"Export {(variable.Length > 0 ? variable : "the variable dash.cluster.tls.password-env names")} with the certificate's password on every node " +
                                                         "(scripts/make-test-ca.sh protects its certificates with $DASH_TLS_PASSWORD, default dash-test).");
        }
        try
        {
            using var _ = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(ca));
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw r.Bad("dash.cluster.tls.ca", $"dash.cluster.tls.ca = \"{ca}\" is not a PEM certificate ({e.Message.TrimEnd('.')}).");
        }
        return new TlsSettings(Path.GetFullPath(cert), password, Path.GetFullPath(ca));
    }

    /// <summary>Fails with a clear message when this node's port is taken (Akka would log and retry instead).</summary>
    public void CheckPortFree()
    {
        if (Port == 0) return;
        try
        {
            var address = IPAddress.TryParse(Hostname, out var ip) ? ip : IPAddress.Any;
            using var probe = new TcpListener(address, Port);
            probe.Start();
            probe.Stop();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new SettingsException($"--port {Port}: the port is already in use on {Hostname} (another dash node?). Choose another port, or 0 for any free one.");
        }
    }
}
