// Weight broadcast between two Dash cluster nodes on loopback: the learner's WeightBroadcastActor sends a policy version
// in checksummed chunks to a real SamplerActor on the other node, which reassembles it, verifies its SHA-256, loads it
// (into a no-op engine, so only the transfer is measured) and acknowledges. Plain TCP and mutual TLS, side by side.
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Dash.Actors.Cluster;
using Dash.Actors.Engines;
using Dash.Actors.Pipeline;
using Dash.Actors.Protocol;

var inv = CultureInfo.InvariantCulture;
var repeats = int.TryParse(Arg("--repeats"), inv, out var r) ? r : 5;
var megabytes = (Arg("--sizes") ?? "9.6,50").Split(',').Select(s => double.Parse(s, inv)).ToArray();
var chunks = (Arg("--chunks") ?? "1MiB:4,4MiB:2").Split(',');
Console.WriteLine($"machine: nproc {Environment.ProcessorCount}, load average {File.ReadAllText("/proc/loadavg").Trim()}");
var certs = Directory.CreateTempSubdirectory("dash-bench-ca-").FullName;
MakeCertificates(certs);
Console.WriteLine("| transport | weights MB | chunk:window | median s | MB/s (median of " + repeats + ") | min–max MB/s |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var tls in new[] { false, true })
{
    foreach (var chunk in chunks)
    {
        foreach (var mb in megabytes)
        {
            var seconds = Measure(tls, chunk, (int)(mb * 1e6 / 4), repeats);
            var rates = seconds.Select(s => mb / s).Order().ToArray();
            Console.WriteLine(string.Create(inv, $"| {(tls ? "TLS" : "TCP")} | {mb} | {chunk} | {Median(seconds):0.000} | {Median(rates):0} | {rates[0]:0}–{rates[^1]:0} |"));
        }
    }
}
Directory.Delete(certs, recursive: true);
return 0;

List<double> Measure(bool tls, string chunk, int floats, int n)
{
    var parts = chunk.Split(':');
    string[] sets = [$"cluster.weight-chunk={parts[0]}", $"cluster.ack-window={parts[1]}", "cluster.join-timeout-seconds=30",
        .. tls ? new[] { "cluster.tls.enabled=on", $"cluster.tls.ca={certs}/ca.crt", "cluster.tls.password-env=DASH_BENCH_TLS" } : []];
    Environment.SetEnvironmentVariable("DASH_BENCH_TLS", "bench");
    var senderSettings = ClusterNodeSettings.Load(["coordinator,learner"], "127.0.0.1", 0, [],
        sets: tls ? [.. sets, $"cluster.tls.certificate={certs}/a.pfx"] : sets);
    using var sender = DashNode.Start(senderSettings);
    var receiverSettings = ClusterNodeSettings.Load(["sampler"], "127.0.0.1", 0, [sender.Address.ToString()],
        sets: tls ? [.. sets, $"cluster.tls.certificate={certs}/b.pfx"] : sets);
    using var receiver = DashNode.Start(receiverSettings);
    if (!sender.WaitUntilUp(TimeSpan.FromSeconds(30)) || !receiver.WaitUntilUp(TimeSpan.FromSeconds(30))) throw new InvalidOperationException("nodes did not come up");
    var applied = new System.Collections.Concurrent.BlockingCollection<WeightsApplied>();
    var probe = sender.System.ActorOf(Props.Create(() => new Probe(applied)), "probe");
    receiver.StartSamplers(new NoOpEngines(), 1);
    // The probe plays the coordinator: greet the sampler node so its sampler reports to the probe.
    sender.System.ActorSelection($"{receiver.Address}/user/{ClusterRoles.SamplerHostName}").Tell(new CoordinatorHello("bench"), probe);
    var sampler = ResolveWithRetry(sender.System.ActorSelection($"{receiver.Address}/user/{ClusterRoles.SamplerHostName}/sampler-0"));
    var broadcast = sender.System.ActorOf(WeightBroadcastActor.Props(senderSettings.Transfer.ChunkBytes, senderSettings.Transfer.Window), "weights");
    broadcast.Tell(new WeightBroadcastActor.AddTarget(sampler));
    var weights = new float[floats];
    var random = new Random(7);
    for (var i = 0; i < weights.Length; i++) weights[i] = (float)random.NextDouble();
    var times = new List<double>();
    for (var v = 0; v <= n; v++)
    {
        weights[0] = v;
        var clock = Stopwatch.StartNew();
        broadcast.Tell(new WeightBroadcastActor.Publish(v, (float[])weights.Clone()));
        while (true)
        {
            if (!applied.TryTake(out var a, TimeSpan.FromSeconds(120))) throw new TimeoutException("no WeightsApplied within 120 s");
            if (a.PolicyVersion != v) continue;
            if (a.Sha256 != WeightBroadcastActor.Hash(weights)) throw new InvalidOperationException("the sampler holds other weights than were sent");
            break;
        }
        if (v > 0) times.Add(clock.Elapsed.TotalSeconds); // version 0 warms the connection up
    }
    receiver.Leave(TimeSpan.FromSeconds(10));
    return times;
}

// The sampler is created asynchronously by its host: ask again until it exists.
static IActorRef ResolveWithRetry(ActorSelection selection)
{
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            return selection.ResolveOne(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
        catch (ActorNotFoundException) when (attempt < 20)
        {
            Thread.Sleep(250);
        }
    }
}

static double Median(IEnumerable<double> xs)
{
    var s = xs.Order().ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

void MakeCertificates(string dir)
{
    var script = Path.Combine(FindRepo(), "scripts", "make-test-ca.sh");
    var start = new ProcessStartInfo("bash", [script, dir, "a", "b"]) { RedirectStandardOutput = true };
    start.Environment["DASH_TLS_PASSWORD"] = "bench";
    using var p = Process.Start(start)!;
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException("make-test-ca.sh failed");
}

static string FindRepo()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Dash.sln"))) return d.FullName;
    return Directory.GetCurrentDirectory();
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed class Probe : ReceiveActor
{
    public Probe(System.Collections.Concurrent.BlockingCollection<WeightsApplied> applied)
    {
        Receive<WeightsApplied>(applied.Add);
        Receive<SamplerReady>(_ => { });
    }
}

/// <summary>Engines that do nothing: the benchmark measures moving and verifying weights, not loading them into a model.</summary>
internal sealed class NoOpEngines : IEngineFactory
{
    public IPolicySampler CreateSampler(int samplerId) => new Sampler();
    public IPolicyLearner CreateLearner() => throw new NotSupportedException();
    public IRewardScorer CreateScorer() => throw new NotSupportedException();

    private sealed class Sampler : IPolicySampler
    {
        public IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<int[]> prompts, int groupSize, bool greedy, ulong seed) => [];
        public void LoadWeights(ReadOnlySpan<float> weights) { }
        public void Dispose() { }
    }
}
