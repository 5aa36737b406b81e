// dash node: help and the mistakes a user makes when starting a cluster node, each one clear line and exit code 2.
using System.Net;
using System.Net.Sockets;

namespace Dash.Host.Tests;

public sealed class NodeCliSpecs
{
    [Fact]
    public void Should_explain_roles_seed_nodes_and_tls_in_the_help()
    {
        var r = CliHarness.Run("node", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var text in new[] { "--role", "--seed-nodes", "--port", "coordinator,learner", "sampler", "cluster.tls.enabled=on", "Examples:" })
            Assert.Contains(text, r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--role astronaut: unknown role; choose from coordinator, sampler, learner", "--role", "astronaut")]
    [InlineData("--role verifier: answers are verified in the coordinator node's verifier pool", "--role", "verifier")]
    [InlineData("--role learner: the learner runs with the coordinator", "--role", "learner")]
    [InlineData("--seed-nodes nowhere: expected host:port", "--role", "sampler", "--seed-nodes", "nowhere")]
    [InlineData("--seed-nodes akka.ssl.tcp://dash@h:1: with TLS off addresses start with akka.tcp://", "--role", "sampler", "--seed-nodes", "akka.ssl.tcp://dash@h:1")]
    [InlineData("dash.cluster.tls.certificate = \"/nonexistent.pfx\": TLS is on but this node's certificate file does not exist", "--role", "sampler",
        "--set", "cluster.tls.enabled=on", "--set", "cluster.tls.certificate=/nonexistent.pfx")]
    [InlineData("does not fit in akka.remote.dot-netty.tcp.maximum-frame-size", "--role", "sampler", "--set", "cluster.weight-chunk=16MiB")]
    [InlineData("dash.cluster.nope (from --set cluster.nope=1) is not a Dash setting. Did you mean", "--role", "sampler", "--set", "cluster.nope=1")]
    [InlineData("dash.cluster.ack-window = \"four\" is not an integer (from --set cluster.ack-window=four).", "--role", "sampler", "--set", "cluster.ack-window=four")]
    [InlineData("dash.cluster.join-timeout (from --set dash.cluster.join-timeout=5) is now dash.cluster.join-timeout-seconds", "--role", "sampler",
        "--set", "dash.cluster.join-timeout=5")]
    [InlineData("--port 70000: must be between 0 and 65535", "--role", "sampler", "--port", "70000")]
    public void Should_explain_a_node_mistake_in_one_line(string message, params string[] args)
    {
        var r = CliHarness.Run(["node", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_port_that_is_already_in_use()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var r = CliHarness.Run("node", "--role", "sampler", "--port", $"{port}", "--seed-nodes", "127.0.0.1:1");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--port {port}: the port is already in use on 127.0.0.1", r.Err, StringComparison.Ordinal);
    }
}
