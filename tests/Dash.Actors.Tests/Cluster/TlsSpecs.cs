// Mutual TLS between cluster nodes with a private CA made by scripts/make-test-ca.sh.
using System.Diagnostics;
using Akka.Cluster;
using Dash.Actors.Cluster;
using Dash.Testing;
using Dash.TestKit;

namespace Dash.Actors.Tests.Cluster;

[Collection("cluster")]
public sealed class TlsSpecs : IDisposable
{
    private const string PasswordVariable = "DASH_TEST_TLS_PASSWORD";
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-ca-").FullName;

    public TlsSpecs()
    {
        Environment.SetEnvironmentVariable(PasswordVariable, "s3cret-test");
        MakeCertificates(_dir, false, "coordinator", "sampler");
        MakeCertificates(_dir, true, "rogue");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void MakeCertificates(string dir, bool selfSigned, params string[] names)
    {
        var script = Path.Combine(SharedData.RepoRoot, "scripts", "make-test-ca.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        if (selfSigned) start.ArgumentList.Add("--self-signed");
        start.ArgumentList.Add(dir);
        foreach (var n in names) start.ArgumentList.Add(n);
        start.Environment["DASH_TLS_PASSWORD"] = "s3cret-test";
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"make-test-ca.sh failed: {err}");
    }

    private ClusterNodeSettings Settings(string certificate, DashNode? seed) => DashHarness.NodeSettings(
        seed is null ? "coordinator,learner" : "sampler", seed,
        "cluster.tls.enabled=on", $"cluster.tls.certificate=\"{Path.Combine(_dir, certificate + ".pfx")}\"",
        $"cluster.tls.ca=\"{Path.Combine(_dir, "ca.crt")}\"", $"cluster.tls.password-env={PasswordVariable}");

    [Fact]
    public void Should_form_a_cluster_with_certificates_from_the_cluster_CA_and_refuse_a_self_signed_node()
    {
        using var cluster = new DashHarness();
        var first = cluster.StartNode(Settings("coordinator", null), throttled: false);
        Assert.StartsWith("akka.ssl.tcp://", first.Address.ToString(), StringComparison.Ordinal);
        var second = cluster.StartNode(Settings("sampler", first), throttled: false);
        DashHarness.AwaitUp(first, second);
        Assert.Equal(2, Akka.Cluster.Cluster.Get(first.System).State.Members.Count(m => m.Status == MemberStatus.Up));

        var rogue = cluster.StartNode(Settings("rogue", first), throttled: false);

        Assert.False(rogue.WaitUntilUp(TimeSpan.FromSeconds(10)), "a node with a self-signed certificate joined the cluster");
        Assert.Equal(2, Akka.Cluster.Cluster.Get(first.System).State.Members.Count);
    }

    [Theory]
    [InlineData("DASH_TEST_TLS_UNSET", "is not set")]
    [InlineData("DASH_TEST_TLS_WRONG", "the password in $DASH_TEST_TLS_WRONG")]
    public void Should_refuse_a_certificate_the_password_does_not_open_in_one_line_naming_the_variable(string variable, string said)
    {
        Environment.SetEnvironmentVariable("DASH_TEST_TLS_WRONG", "not-the-password");
        Environment.SetEnvironmentVariable("DASH_TEST_TLS_UNSET", null);

        var e = Assert.Throws<Dash.Actors.Settings.SettingsException>(() => DashHarness.NodeSettings("sampler", null,
            "cluster.tls.enabled=on", $"cluster.tls.certificate=\"{Path.Combine(_dir, "sampler.pfx")}\"",
            $"cluster.tls.ca=\"{Path.Combine(_dir, "ca.crt")}\"", $"cluster.tls.password-env={variable}"));

        Assert.Contains("sampler.pfx\" cannot be opened with", e.Message, StringComparison.Ordinal);
        Assert.Contains(said, e.Message, StringComparison.Ordinal);
        Assert.Contains($"Export {variable}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
