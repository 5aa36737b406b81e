// What a coordinator needs to journal a run: its id, effective configuration, checkpoint folder, policy on changes.
using System.Security.Cryptography;
using System.Text;
using Dash.Actors.Persistence;

namespace Dash.Actors.Pipeline;

/// <param name="RunId">The run's id: the journal's persistence id is <c>run-&lt;RunId&gt;</c>.</param>
/// <param name="ConfigText">The effective dash.* configuration as HOCON text (journaled when the run starts).</param>
/// <param name="Checkpoints">Where checkpoints are written, or null to keep none (simulations).</param>
/// <param name="AllowConfigChange">Resume even when the configuration differs from the journaled one.</param>
/// <param name="KeepLast">Checkpoints kept besides the best one.</param>
public sealed record RunContext(string RunId, string ConfigText, CheckpointStore? Checkpoints, bool AllowConfigChange = false, int KeepLast = 2)
{
    public string ConfigHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ConfigText)));

    public static string CodeVersion => typeof(RunContext).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>A run in memory only (test-kit simulations): journal as configured, no checkpoints.</summary>
    public static RunContext InMemory(string id = "sim") => new(id, "", null, AllowConfigChange: true);
}
