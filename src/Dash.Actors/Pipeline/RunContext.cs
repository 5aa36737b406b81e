// What a coordinator needs to journal a run: its id, effective configuration, checkpoint folder, policy on changes.
using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using Dash.Actors.Persistence;
using Dash.Actors.Settings;

namespace Dash.Actors.Pipeline;

/// <param name="RunId">The run's id: the journal's persistence id is <c>run-&lt;RunId&gt;</c>.</param>
/// <param name="ConfigText">The effective dash.* configuration as HOCON text (journaled when the run starts).</param>
/// <param name="Checkpoints">Where checkpoints are written, or null to keep none (simulations).</param>
/// <param name="AllowConfigChange">Resume even when the configuration differs from the journaled one.</param>
/// <param name="IgnoreSnapshots">Recover from every event, not the newest snapshot (which was found damaged).</param>
public sealed record RunContext(string RunId, string ConfigText, CheckpointStore? Checkpoints, bool AllowConfigChange = false,
    bool IgnoreSnapshots = false)
{
    /// <summary>The SQLite journal file, named in messages about it (null: a PostgreSQL or in-memory journal).</summary>
    public string? JournalPath { get; init; }

    public string ConfigHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ConfigText)));

    /// <summary>
    /// The hash to compare with a journaled one: of this configuration without the keys the recorded configuration
    /// (<paramref name="recordedText"/>) lacks and that keep their default, so upgrading Dash keeps a run's hash.
    /// </summary>
    public string ConfigHashAsRecorded(string recordedText)
    {
        if (recordedText.Length == 0 || ConfigText.Length == 0) return ConfigHash;
        var added = ConfigLoader.UnrecordedDefaults(ConfigurationFactory.ParseString(recordedText), ConfigurationFactory.ParseString(ConfigText));
        if (added.Count == 0) return ConfigHash;
        var kept = ConfigText.Split('\n').Where(line => line.IndexOf(" = ", StringComparison.Ordinal) is var eq && (eq < 0 || !added.Contains(line[..eq])));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", kept))));
    }

    /// <summary>Keys a resumed run may change: where things are stored, how much to train and evaluate, how many workers.</summary>
    public static readonly string[] ResumableChanges =
    [
        "dash.run.steps", "dash.run.eval-every", "dash.run.eval-problems", "dash.sampling.samplers", "dash.verifier.workers",
        "dash.run.runs-dir", "dash.run.id", "dash.persistence.journal", "dash.persistence.postgres.connection-string-env",
        "dash.persistence.postgres.connection-string-file", "dash.sampling.exclusive-devices", "dash.model.memory-check", "dash.verifier.threads",
        "dash.coordinator.keep-last", "dash.coordinator.snapshot-every", "dash.coordinator.max-restarts", "dash.coordinator.regreet-seconds",
        "dash.pipeline.overlap", "dash.model.share-cpu-thread", "dash.coordinator.checkpoint-every", "dash.model.warmup-checkpoint-every",
    ];

    /// <summary>
    /// Settings added to hocon/dash.conf after the first release, which named warm-up folders by every key: while one
    /// keeps its default it is left out of <see cref="TrainingHash"/>, so warm-ups trained by that release keep their names.
    /// </summary>
    public static readonly string[] AddedSinceFirstRelease =
    [
        "dash.model.dtype", "dash.reward.answer-phrase", "dash.reward.last-math", "dash.reward.whole-text", "dash.reward.last-number",
        "dash.sampling.devices", "dash.learning.device", "dash.learning.reference-device", "dash.sampling.max-policy-lag",
    ];

    private static readonly Lazy<HashSet<string>> AddedDefaultLines = new(() =>
        [.. AddedSinceFirstRelease.Select(k => ConfigLoader.Render(ConfigLoader.Defaults, [k]).TrimEnd('\n'))]);

    /// <summary>
    /// SHA-256 of a configuration (as <see cref="ConfigLoader.Render"/> writes it) without the keys that do not change
    /// what is trained (storage, worker counts, ids) and without settings added since the first release that keep their
    /// default: runs with equal hashes produce the same weights, so a warm-up can be shared between them. Renamed keys
    /// count under their first names, so warm-ups keep their names across a rename.
    /// </summary>
    public static string TrainingHash(string configText) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
        SettingsLayers.FirstNamesText(configText).Split('\n').Where(line => (!ResumableChanges.Any(k => line.StartsWith(k + " ", StringComparison.Ordinal)) || line.StartsWith("dash.run.steps ", StringComparison.Ordinal))
                                              && !AddedDefaultLines.Value.Contains(line))))));

    public static string CodeVersion => typeof(RunContext).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>A run in memory only (test-kit simulations): journal as configured, no checkpoints.</summary>
    public static RunContext InMemory(string id = "sim") => new(id, "", null, AllowConfigChange: true);
}
