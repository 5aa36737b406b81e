// Derives every random stream's seed as a pure function of the run seed and where it is used (exact resume needs no RNG state).
namespace Dash.Actors.Algorithm;

public static class Seeds
{
    /// <summary>A well-mixed 64-bit seed from the run seed and a path of integers (step, round, shard, …).</summary>
    public static ulong Derive(long runSeed, params long[] path)
    {
        var x = Mix((ulong)runSeed ^ 0x9E3779B97F4A7C15UL);
        foreach (var p in path) x = Mix(x ^ Mix((ulong)p + 0xD1B54A32D192ED03UL));
        return x;
    }

    /// <summary>SplitMix64's finalizer.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
