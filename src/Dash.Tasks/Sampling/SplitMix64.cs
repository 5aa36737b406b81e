// SplitMix64: a tiny seeded PRNG, so shuffles, splits and generated tasks never depend on .NET's Random.
namespace Dash.Tasks.Sampling;

/// <summary>Steele, Lea and Flood's SplitMix64 generator (the seeding generator of xoshiro); a mutable struct.</summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15ul;
        return Mix(z);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1ul << 53));

    /// <summary>A uniform integer in [0, <paramref name="bound"/>) by rejection, without modulo bias.</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be positive");
        var limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % (ulong)bound);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int NextInt(int min, int max) => min + NextInt(max - min + 1);

    /// <summary>The SplitMix64 finaliser: a good 64-bit mix of one value.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
        return z ^ (z >> 31);
    }

    /// <summary>A stable 64-bit hash of a string (FNV-1a then mixed), independent of .NET's randomised string hashing.</summary>
    public static ulong Hash(string s)
    {
        var h = 0xCBF29CE484222325ul;
        foreach (var c in s) { h ^= c; h *= 0x100000001B3ul; }
        return Mix(h);
    }

    /// <summary>A generator for item <paramref name="index"/> of stream <paramref name="seed"/>: random access, no shared state.</summary>
    public static SplitMix64 ForIndex(ulong seed, ulong stream, long index) =>
        new(Mix(seed ^ Mix(stream + 0x632BE59BD9B4E019ul)) ^ Mix((ulong)index * 0xD1B54A32D192ED03ul + 1));
}
