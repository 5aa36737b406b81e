// Tiny `dash train` runs for the run-record specs: a few steps of the built-in model on small batches, in a temp folder.
using System.Globalization;

namespace Dash.Host.Tests.Runs;

public sealed class TinyRuns : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("dash-runs-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    /// <summary>The arguments of a tiny run: <paramref name="warmup"/> warm-up steps, then <paramref name="steps"/> RL steps.</summary>
    public string[] Args(string id, int steps, int warmup = 0, params string[] sets)
    {
        string[] all = [$"model.warmup-steps={warmup}", "model.warmup-batch=8", "sampling.prompts-per-step=4", "sampling.batch-size=16",
            "run.eval-problems=8", "run.eval-every=2", "sampling.max-new-tokens=16", .. sets];
        return ["train", "--runs-dir", Dir, "--run-id", id, "--steps", steps.ToString(CultureInfo.InvariantCulture), .. all.SelectMany(s => new[] { "--set", s })];
    }

    /// <summary>Runs a tiny <c>dash train</c> in this process.</summary>
    public CliResult Train(string id, int steps, int warmup = 0, params string[] sets) => CliHarness.Run(Args(id, steps, warmup, sets));

    public CliResult Runs(params string[] args) => CliHarness.Run(["runs", .. args, "--runs-dir", Dir]);

    public string Run(string id) => Path.Combine(Dir, id);

    public string Warmup => Directory.GetDirectories(Dir, "warmup-*").Single();

    /// <summary>The run's checkpoint folders, oldest first.</summary>
    public string[] Checkpoints(string id) =>
        Directory.Exists(Path.Combine(Run(id), "checkpoints"))
            ? [.. Directory.GetDirectories(Path.Combine(Run(id), "checkpoints"), "step-*").Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Flips one byte of the weights of checkpoint folder <paramref name="checkpoint"/>.</summary>
    public static string Flip(string checkpoint)
    {
        var file = Directory.GetFiles(checkpoint).Where(f => !f.EndsWith("manifest.json", StringComparison.Ordinal)).MaxBy(f => new FileInfo(f).Length)!;
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file, bytes);
        return file;
    }

    /// <summary>The data rows of a CSV file, by their first column (the step).</summary>
    public static string[] Steps(string csv) => [.. File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')[0])];

    /// <summary>SHA-256 of every file of a checkpoint folder (the manifest included).</summary>
    public static string Digest(string checkpoint) => string.Join(",", Directory.GetFiles(checkpoint).Order(StringComparer.Ordinal)
        .Select(f => Path.GetFileName(f) + "=" + Dash.Actors.Persistence.CheckpointStore.Sha256Of(f)));
}
