// dash node: join (or start) a Dash cluster as coordinator/learner, sampler and/or verifier.
using System.CommandLine;
using Dash.Actors.Cluster;
using Dash.Host.Training;

namespace Dash.Host.Commands;

internal static class NodeCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var options = new ConfigOptions();
        var role = new Option<string[]>("--role", "-r")
        {
            Description = "This node's roles, comma-separated: coordinator,learner (the coordinator singleton with its learner and " +
                          "verifier pool; journal on PostgreSQL) and/or sampler.",
            Required = true,
        };
        var seeds = new Option<string[]>("--seed-nodes")
        {
            Description = "Nodes to join, host:port (comma-separated or repeated). Leave out on the first node, which forms the cluster.",
        };
        var port = new Option<int>("--port", "-p") { Description = "TCP port of this node (0 = any free port).", DefaultValueFactory = _ => 0 };
        var hostname = new Option<string>("--hostname")
        {
            Description = "Address other nodes reach this one at.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var clusterConfig = new Option<string[]>("--cluster-config") { Description = "A HOCON file layered over hocon/cluster.conf (repeatable)." };
        var runId = new Option<string?>("--run-id") { Description = "Run id (coordinator nodes; every coordinator node of one cluster must use the same)." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (same as --set run.steps=N)." };
        var runsDir = new Option<string?>("--runs-dir") { Description = "Folder for runs (same as --set run.runs-dir=...)." };
        var allow = new Option<bool>("--allow-config-change") { Description = "Resume a run even though its configuration changed." };
        var command = new Command("node", """
            Run one node of a Dash training cluster (Akka.Cluster). Every node must get the same training settings
            (--config/--set); cluster settings come from hocon/cluster.conf (override with --set cluster.<key>=<value>).

            Examples:
              # first node: the coordinator singleton and its learner, journaling to PostgreSQL
              DASH_PG="Host=10.0.0.1;Database=dash;Username=dash;Password=..." \
                dash node --role coordinator,learner --port 4053 --set persistence.journal=postgres
              # sampler nodes (as many as you like, joining and leaving at any time)
              dash node --role sampler --seed-nodes 10.0.0.1:4053 --port 4054
              # a standby coordinator that takes over if the first one's machine dies
              dash node --role coordinator,learner --seed-nodes 10.0.0.1:4053 --port 4055 --set persistence.journal=postgres
              # mutual TLS (certificates from scripts/make-test-ca.sh)
              dash node --role sampler --seed-nodes 10.0.0.1:4053 --set cluster.tls.enabled=on \
                --set cluster.tls.certificate=certs/node2.pfx --set cluster.tls.ca=certs/ca.crt
            """);
        options.AddTo(command);
        foreach (var o in new Option[] { role, seeds, port, hostname, clusterConfig, runId, steps, runsDir, allow }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var sets = p.GetValue(options.Set) ?? [];
            // One --set rule for both files: a dash.cluster.* key (dash. optional) is hocon/cluster.conf's, any other dash.conf's.
            var clusterSets = sets.Where(IsClusterKey).ToArray();
            var extra = sets.Where(s => !IsClusterKey(s)).ToList();
            if (p.GetValue(steps) is { } n) extra.Add($"run.steps={n}");
            if (p.GetValue(runsDir) is { } r) extra.Add($"run.runs-dir={r}");
            if (p.GetValue(runId) is { } id) extra.Add($"run.id={id}");
            var effective = Dash.Actors.Settings.ConfigLoader.Load(p.GetValue(options.Config) ?? [], extra, p.GetValue(options.Algorithm));
            var node = ClusterNodeSettings.Load(p.GetValue(role) ?? [], p.GetValue(hostname)!, p.GetValue(port), p.GetValue(seeds) ?? [],
                p.GetValue(clusterConfig), clusterSets);
            var host = new ClusterHost(node, console(p));
            return node.Has(ClusterRoles.Coordinator)
                ? TrainingSession.Run(effective, console(p), p.GetValue(allow), host)
                : host.RunWorker(effective);
        });
        return command;
    }

    private static bool IsClusterKey(string set) =>
        set.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq
        && Dash.Actors.Settings.SettingsLayers.KeyOf(set[..eq].Trim()).StartsWith("dash.cluster.", StringComparison.Ordinal);
}
