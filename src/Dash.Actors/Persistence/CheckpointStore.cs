// Atomic, verified checkpoints: write to a temporary folder, fsync, add a SHA-256 manifest, rename; keep last K + best.
using System.Security.Cryptography;
using System.Text.Json;

namespace Dash.Actors.Persistence;

/// <summary>A checkpoint is unusable: missing, incomplete or not matching its manifest.</summary>
public sealed class CheckpointException(string message) : Exception(message);

/// <summary>The checkpoints of one run, under <c>runs/&lt;id&gt;/checkpoints/step-NNNNNN</c>.</summary>
public sealed class CheckpointStore(string root)
{
    public const string ManifestFile = "manifest.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Root { get; } = root;

    /// <summary>The folder name of the checkpoint written after <paramref name="steps"/> optimizer steps.</summary>
    public static string NameOf(long steps) => $"step-{steps:D6}";

    /// <summary>The steps a checkpoint folder's name counts (step-000012: 12), or −1 for another name.</summary>
    public static long StepsOf(string name) =>
        name.StartsWith("step-", StringComparison.Ordinal) && long.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>
    /// Writes a checkpoint atomically: <paramref name="write"/> fills a temporary folder, every file is fsynced, the
    /// manifest (file sizes and SHA-256 sums) is written and fsynced, then the folder is renamed into place.
    /// Returns the folder name and the manifest's SHA-256. A write that fails (disk full, read-only) removes its
    /// temporary folder and throws the <see cref="IOException"/>, naming the checkpoint.
    /// </summary>
    public (string Name, string Sha256) Write(long step, Action<string> write)
    {
        var name = NameOf(step);
        var temp = Path.Combine(Root, $".tmp-{name}-{Environment.ProcessId}");
        try
        {
            return WriteVia(temp, step, name, write);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"writing checkpoint {PathOf(name)} failed: {e.Message.TrimEnd('.')}", e);
        }
    }

    private (string Name, string Sha256) WriteVia(string temp, long step, string name, Action<string> write)
    {
        Directory.CreateDirectory(Root);
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        write(temp);
        var files = Directory.GetFiles(temp).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var entries = new SortedDictionary<string, FileEntry>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var path = Path.Combine(temp, file!);
            Fsync(path);
            entries[file!] = new FileEntry(new FileInfo(path).Length, Sha256Of(path));
        }
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Manifest(step, entries), Indented);
        var manifestPath = Path.Combine(temp, ManifestFile);
        File.WriteAllBytes(manifestPath, manifest);
        Fsync(manifestPath);
        var final = PathOf(name);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // A re-run of an uncommitted step.
        Directory.Move(temp, final);
        FsyncDirectory(Root);
        return (name, Convert.ToHexStringLower(SHA256.HashData(manifest)));
    }

    /// <summary>Checks a checkpoint against its manifest and the manifest against the journaled hash.</summary>
    public void Verify(string name, string manifestSha256)
    {
        var dir = PathOf(name);
        var manifestPath = Path.Combine(dir, ManifestFile);
        if (!Directory.Exists(dir)) throw new CheckpointException($"checkpoint {dir} is gone (its folder was deleted or moved).");
        if (!File.Exists(manifestPath)) throw new CheckpointException($"checkpoint {dir} is missing its {ManifestFile}.");
        var bytes = File.ReadAllBytes(manifestPath);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != manifestSha256)
            throw new CheckpointException($"checkpoint {dir}: {ManifestFile} does not match the hash in the run journal.");
        var manifest = JsonSerializer.Deserialize<Manifest>(bytes) ?? throw new CheckpointException($"checkpoint {dir}: empty manifest.");
        foreach (var (file, entry) in manifest.Files)
        {
            var path = Path.Combine(dir, file);
            if (!File.Exists(path)) throw new CheckpointException($"checkpoint {dir}: {file} is missing.");
            var length = new FileInfo(path).Length;
            if (length != entry.Bytes) throw new CheckpointException($"checkpoint {dir}: {file} has {length} bytes, the manifest says {entry.Bytes} (truncated?).");
            if (Sha256Of(path) != entry.Sha256) throw new CheckpointException($"checkpoint {dir}: {file} does not match its SHA-256 (corrupted).");
        }
    }

    /// <summary>
    /// Checks a folder that holds a Dash checkpoint (one with a <see cref="ManifestFile"/>) against its manifest; a folder
    /// without one (a Hugging Face download) is not checked. Throws <see cref="CheckpointException"/> naming the file.
    /// </summary>
    public static void VerifyFolder(string dir)
    {
        var manifestPath = Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifestPath)) return;
        var store = new CheckpointStore(Path.GetDirectoryName(Path.GetFullPath(dir))!);
        store.Verify(Path.GetFileName(Path.GetFullPath(dir)), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(manifestPath))));
    }

    /// <summary>Deletes temporary folders that writes interrupted by a crash or a full disk left behind.</summary>
    public void CleanTemporary()
    {
        if (!Directory.Exists(Root)) return;
        foreach (var dir in Directory.GetDirectories(Root, ".tmp-*")) TryDelete(dir);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Removed at the next start.
        }
    }

    /// <summary>Deletes every checkpoint folder except the given names and those after <paramref name="newest"/> (written
    /// ahead of the journal: with a policy lag the learner saves step t + 1 while step t is being committed), and any
    /// leftover temporary folders.</summary>
    /// <param name="newest">The newest committed checkpoint's name (null: none is spared for being newer).</param>
    public void Retain(IReadOnlySet<string> keep, string? newest = null)
    {
        if (!Directory.Exists(Root)) return;
        foreach (var dir in Directory.GetDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            var isTemp = name.StartsWith(".tmp-", StringComparison.Ordinal) && !name.EndsWith($"-{Environment.ProcessId}", StringComparison.Ordinal);
            var ahead = newest is not null && StepsOf(name) > StepsOf(newest);
            if (isTemp || (name.StartsWith("step-", StringComparison.Ordinal) && !keep.Contains(name) && !ahead))
                Directory.Delete(dir, recursive: true);
        }
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void Fsync(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    private static void FsyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(path, 0); // O_RDONLY
        if (fd < 0) return;
        _ = FsyncFd(fd);
        _ = Close(fd);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPStr)] string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "fsync")]
    private static extern int FsyncFd(int fd);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    private sealed record FileEntry(long Bytes, string Sha256);

    private sealed record Manifest(long Step, SortedDictionary<string, FileEntry> Files);
}
