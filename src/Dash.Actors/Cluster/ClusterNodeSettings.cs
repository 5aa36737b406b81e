// A node's cluster settings: roles, address, seed nodes, weight transfer and TLS, read from hocon/cluster.conf and validated.
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;

namespace Dash.Actors;

/// <summary>Mutual TLS for remoting: this node's certificate (PKCS#12) and the CA every peer's certificate must chain to.</summary>
public sealed record TlsSettings(string Certificate, string Password, string Ca);

/// <summary>Everything one <c>dash node</c> needs to join a cluster.</summary>
public sealed record ClusterNodeSettings(
    string[] Roles, string Hostname, int Port, string[] SeedNodes, WeightTransferSettings Transfer, TimeSpan JoinTimeout, TlsSettings? Tls, Config Config)
{
    /// <summary>hocon/cluster.conf, embedded.</summary>
    public static Config Defaults => ConfigurationFactory.ParseString(ConfigLoader.EmbeddedText("cluster.conf"));

    public bool Has(string role) => Roles.Contains(role);

    /// <summary>The address scheme nodes use (TLS changes it).</summary>
    public string Scheme => Tls is null ? "akka.tcp" : "akka.ssl.tcp";

    /// <summary>
    /// Reads and checks a node's settings. <paramref name="sets"/> are <c>cluster.key=value</c> overrides (without the
    /// <c>dash.</c> prefix); <paramref name="files"/> are extra HOCON files layered over hocon/cluster.conf.
    /// </summary>
    public static ClusterNodeSettings Load(IEnumerable<string> roles, string hostname, int port, IEnumerable<string> seedNodes,
        IEnumerable<string>? files = null, IEnumerable<string>? sets = null)
    {
        var config = Defaults;
        foreach (var file in files ?? [])
        {
            if (!File.Exists(file)) throw new SettingsException($"--cluster-config {file}: the file does not exist.");
            var text = File.ReadAllText(file);
            HoconSyntax.CheckDocument(text, file);
            config = ConfigurationFactory.ParseString(text).WithFallback(config);
        }
        foreach (var set in sets ?? [])
        {
            var eq = set.IndexOf('=');
            var key = eq > 0 ? set[..eq].Trim() : set;
            if (eq <= 0 || !Defaults.HasPath("dash." + key))
                throw new SettingsException($"--set {set}: unknown cluster key (known: {string.Join(", ", ConfigLoader.LeafPaths(Defaults).Where(k => k.StartsWith("dash.cluster.", StringComparison.Ordinal)).Select(k => k[5..]).Order())}).");
            config = ConfigurationFactory.ParseString($"dash.{key} = {ConfigLoader.SetValue(set, "--set")}").WithFallback(config);
        }

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

        var tls = config.GetBoolean("dash.cluster.tls.enabled") ? ReadTls(config) : null;
        var scheme = tls is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = seedNodes.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => NormalizeSeed(s, scheme)).ToArray();

        var chunk = config.GetByteSize("dash.cluster.weight-chunk") ?? 0;
        var frame = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 0;
        if (chunk < 4096 || chunk > int.MaxValue) throw new SettingsException($"dash.cluster.weight-chunk = {chunk} bytes: must be at least 4KiB.");
        if (chunk + 64 * 1024 > frame)
            throw new SettingsException($"dash.cluster.weight-chunk ({chunk} bytes) plus its envelope does not fit in " +
                                        $"akka.remote.dot-netty.tcp.maximum-frame-size ({frame} bytes): lower the chunk or raise the frame size on every node.");
        var window = config.GetInt("dash.cluster.ack-window");
        if (window < 1) throw new SettingsException($"dash.cluster.ack-window = {window}: must be at least 1.");
        var joinTimeout = config.GetInt("dash.cluster.join-timeout");
        if (joinTimeout < 1) throw new SettingsException($"dash.cluster.join-timeout = {joinTimeout}: must be at least 1 (seconds).");

        var node = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp.hostname = "{{hostname}}"
            akka.remote.dot-netty.tcp.port = {{port}}
            akka.remote.dot-netty.tcp.enable-ssl = {{(tls is null ? "off" : "on")}}
            akka.cluster.roles = [{{string.Join(", ", roleList.Select(r => $"\"{r}\""))}}]
            akka.cluster.seed-nodes = [{{string.Join(", ", seeds.Select(s => $"\"{s}\""))}}]
            """);
        return new ClusterNodeSettings(roleList, hostname, port, seeds, new WeightTransferSettings((int)chunk, window),
            TimeSpan.FromSeconds(joinTimeout), tls, node.WithFallback(config));
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

    private static TlsSettings ReadTls(Config config)
    {
        var cert = config.GetString("dash.cluster.tls.certificate") ?? "";
        var ca = config.GetString("dash.cluster.tls.ca") ?? "";
        var variable = config.GetString("dash.cluster.tls.password-env") ?? "";
        if (cert.Length == 0 || !File.Exists(cert))
            throw new SettingsException($"dash.cluster.tls.certificate = \"{cert}\": TLS is on but this node's certificate file does not exist " +
                                        "(make test certificates with scripts/make-test-ca.sh).");
        if (ca.Length == 0 || !File.Exists(ca))
            throw new SettingsException($"dash.cluster.tls.ca = \"{ca}\": TLS is on but the CA certificate file does not exist.");
        var password = variable.Length > 0 ? Environment.GetEnvironmentVariable(variable) ?? "" : "";
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
