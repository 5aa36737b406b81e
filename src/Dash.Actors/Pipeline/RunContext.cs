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
/// <param name="IgnoreSnapshots">Recover from every event, not the newest snapshot (which was found damaged).</param>
public sealed record RunContext(string RunId, string ConfigText, CheckpointStore? Checkpoints, bool AllowConfigChange = false, int KeepLast = 2,
    bool IgnoreSnapshots = false)
{
    public string ConfigHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ConfigText)));

    /// <summary>Keys a resumed run may change: where things are stored, how much to train and evaluate, how many workers.</summary>
    public static readonly string[] ResumableChanges =
    [
        "dash.run.steps", "dash.run.eval-every", "dash.run.eval-problems", "dash.sampling.samplers", "dash.verifier.workers",
        "dash.run.runs-dir", "dash.run.id", "dash.persistence.journal", "dash.persistence.postgres.connection-string-env",
        "dash.persistence.postgres.connection-string-file",
    ];

    /// <summary>
    /// SHA-256 of a configuration without the keys that do not change what is trained (storage, worker counts, ids):
    /// runs with equal hashes produce the same weights, so a warm-up can be shared between them.
    /// </summary>
    public static string TrainingHash(string configText) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
        configText.Split('\n').Where(line => !ResumableChanges.Any(k => line.StartsWith(k + " ", StringComparison.Ordinal)) || line.StartsWith("dash.run.steps ", StringComparison.Ordinal))))));

    public static string CodeVersion => typeof(RunContext).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>A run in memory only (test-kit simulations): journal as configured, no checkpoints.</summary>
    public static RunContext InMemory(string id = "sim") => new(id, "", null, AllowConfigChange: true);
}
