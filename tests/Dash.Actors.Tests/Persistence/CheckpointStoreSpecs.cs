// What a checkpoint that cannot be used says: a deleted folder is gone, not "missing its manifest".
using Dash.Actors.Persistence;

namespace Dash.Actors.Tests.Persistence;

public sealed class CheckpointStoreSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_say_that_a_deleted_checkpoint_folder_is_gone_and_that_a_kept_one_lost_its_manifest()
    {
        var store = new CheckpointStore(_dir);
        var (deleted, deletedHash) = store.Write(1, dir => File.WriteAllText(Path.Combine(dir, "model.safetensors"), "one"));
        var (stripped, strippedHash) = store.Write(2, dir => File.WriteAllText(Path.Combine(dir, "model.safetensors"), "two"));
        store.Verify(deleted, deletedHash);
        Directory.Delete(store.PathOf(deleted), recursive: true);
        File.Delete(Path.Combine(store.PathOf(stripped), CheckpointStore.ManifestFile));

        var gone = Assert.Throws<CheckpointException>(() => store.Verify(deleted, deletedHash));
        var bare = Assert.Throws<CheckpointException>(() => store.Verify(stripped, strippedHash));

        Assert.Contains("is gone (its folder was deleted or moved)", gone.Message, StringComparison.Ordinal);
        Assert.Contains("is missing its manifest.json", bare.Message, StringComparison.Ordinal);
    }
}
