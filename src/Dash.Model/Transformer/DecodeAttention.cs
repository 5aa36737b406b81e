// One-query attention for CPU float32 decode steps, computed in place on the KV cache in one pass per sequence and head.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Dash.Model.Transformer;

/// <summary>
/// Scaled-dot-product attention for a decode step (one new token per sequence) on the CPU in float32, reading keys
/// and values straight from the <see cref="KvCache"/> buffers. libtorch's CPU attention treats each of the B·KvH
/// (sequence, key/value head) pairs as two tiny GEMMs of G folded query rows against S keys over cold cache blocks; at
/// sampling batch 256 that was ~5 ms of a ~15 ms decode step for the built-in model on a Zen 4 core (BENCHMARKS.md).
/// Here each pair is one pass over its keys (eight keys' dot products at a time), a vectorised softmax, and one pass
/// over its values.
/// The same mathematics as SDPA (scores q·k / √d, masked keys excluded, max-subtracted softmax, weighted sum of values)
/// in another summation order: outputs agree to float32 rounding (<c>DecodeAttentionSpecs</c>). Results do not depend
/// on the thread count: each pair is computed by one thread in the same order.
/// </summary>
internal static class DecodeAttention
{
    /// <summary>Whether a decode step on <paramref name="query"/> [B, KvH, G, d] can use this kernel.</summary>
    public static bool Applies(Tensor query, KvCache cache) =>
        Enabled && query.device_type == TorchSharp.DeviceType.CPU && query.dtype == ScalarType.Float32
        && cache.Dtype == ScalarType.Float32 && !query.requires_grad
        && query.shape[0] * query.shape[1] >= MinPairs && query.shape[2] * (cache.Length + 1L) <= MaxScores;

    /// <summary>Off only in specs that compare against libtorch's attention (per thread: specs run in parallel).</summary>
    internal static bool Enabled
    {
        get => !_disabled;
        set => _disabled = !value;
    }

    [ThreadStatic] private static bool _disabled;

    private const int MaxScores = 1 << 20;

    // Below this many (sequence, KV head) pairs libtorch's single call costs less than this kernel's setup (a handful
    // of native calls): batch 1 on the built-in model decodes ~20 % slower with the kernel. A function of the shapes
    // only, so a run's results stay the same run to run.
    private const int MinPairs = 32;

    /// <summary>
    /// Attention of <paramref name="query"/> [B, KvH, G, d] over the first <paramref name="length"/> positions of
    /// <paramref name="keys"/> and <paramref name="values"/> [B, KvH, Capacity, d] (contiguous cache buffers).
    /// <paramref name="visible"/> [B, length] bool (true = attend) or null (every key). Returns [B, KvH, G, d].
    /// </summary>
    public static unsafe Tensor Run(Tensor query, Tensor keys, Tensor values, int length, Tensor? visible)
    {
        var (b, kvHeads, group, headDim) = ((int)query.shape[0], (int)query.shape[1], (int)query.shape[2], (int)query.shape[3]);
        var capacity = (int)keys.shape[2];
        if (!keys.is_contiguous() || !values.is_contiguous() || keys.shape[0] != b || keys.shape[1] != kvHeads || keys.shape[3] != headDim || length > capacity)
            throw new ArgumentException($"decode attention: cache [{string.Join(", ", keys.shape)}] does not fit the query [{string.Join(", ", query.shape)}] at {length} positions.");
        using var q = query.contiguous();
        using var mask = visible?.to_type(ScalarType.Bool).contiguous();
        if (mask is not null && (mask.shape[0] != b || mask.shape[1] != length))
            throw new ArgumentException($"decode attention: mask [{string.Join(", ", mask.shape)}] must be [{b}, {length}].");
        var output = empty([b, kvHeads, group, headDim], dtype: ScalarType.Float32);

        var qPtr = (nint)Pointer(q);
        var kPtr = (nint)Pointer(keys);
        var vPtr = (nint)Pointer(values);
        var oPtr = (nint)Pointer(output);
        var mPtr = mask is null ? 0 : (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(mask.bytes));
        var pairs = b * kvHeads;
        var scale = 1f / MathF.Sqrt(headDim);
        var shape = new Shape(kvHeads, group, headDim, capacity, length, scale);

        var threads = Math.Min(TorchSharp.torch.get_num_threads(), pairs);
        if (threads <= 1 || (long)pairs * group * length * headDim < 1 << 16)
        {
            RunPairs(0, pairs, shape, qPtr, kPtr, vPtr, mPtr, oPtr);
        }
        else
        {
            var chunk = (pairs + threads - 1) / threads;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
                RunPairs(i * chunk, Math.Min(pairs, (i + 1) * chunk), shape, qPtr, kPtr, vPtr, mPtr, oPtr));
        }
        GC.KeepAlive(keys);
        GC.KeepAlive(values);
        return output;
    }

    private readonly record struct Shape(int KvHeads, int Group, int HeadDim, int Capacity, int Length, float Scale);

    private static unsafe float* Pointer(Tensor t) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(t.bytes)));

    private static unsafe void RunPairs(int from, int to, Shape s, nint qBase, nint kBase, nint vBase, nint maskBase, nint outBase)
    {
        var (g, d, length) = (s.Group, s.HeadDim, s.Length);
        var scores = new float[g * length];
        fixed (float* sc = scores)
        {
            for (var pair = from; pair < to; pair++)
            {
                var row = pair / s.KvHeads;
                var q = (float*)qBase + (long)pair * g * d;
                var k = (float*)kBase + (long)pair * s.Capacity * d;
                var v = (float*)vBase + (long)pair * s.Capacity * d;
                var visible = maskBase == 0 ? null : (byte*)maskBase + (long)row * length;
                var o = (float*)outBase + (long)pair * g * d;
                Pair(q, k, v, visible, o, sc, g, d, length, s.Scale);
            }
        }
    }

    // scores[gi·S + j] = q_gi·k_j·scale (−∞ where masked); softmax per query row; o_gi = Σ_j p_gi,j v_j.
    private static unsafe void Pair(float* q, float* k, float* v, byte* visible, float* o, float* scores, int g, int d, int length, float scale)
    {
        var wide = Avx.IsSupported && Fma.IsSupported && d % 8 == 0;
        for (var gi = 0; gi < g; gi++)
        {
            var row = scores + gi * length;
            var qg = q + gi * d;
            var j = 0;
            if (wide)
                for (; j + 8 <= length; j += 8) (Dot8(qg, k + (long)j * d, d) * Vector256.Create(scale)).Store(row + j);
            for (; j < length; j++) row[j] = Dot(qg, k + (long)j * d, d) * scale;
            if (visible is not null)
                for (j = 0; j < length; j++)
                    if (visible[j] == 0) row[j] = float.NegativeInfinity;
        }
        for (var gi = 0; gi < g; gi++)
        {
            var row = scores + gi * length;
            var max = float.NegativeInfinity;
            for (var j = 0; j < length; j++) max = MathF.Max(max, row[j]);
            var j0 = 0;
            var sums = Vector256<float>.Zero;
            var maxes = Vector256.Create(max);
            for (; j0 + 8 <= length; j0 += 8)
            {
                var p = Vector256.Exp(Vector256.Load(row + j0) - maxes);
                p.Store(row + j0);
                sums += p;
            }
            var sum = Vector256.Sum(sums);
            for (; j0 < length; j0++)
            {
                var p = MathF.Exp(row[j0] - max);
                row[j0] = p;
                sum += p;
            }
            var inverse = 1f / sum;
            for (var j = 0; j < length; j++) row[j] *= inverse;
        }
        for (var gi = 0; gi < g; gi++)
        {
            var p = scores + gi * length;
            var og = o + gi * d;
            var c = 0;
            if (wide)
            {
                for (; c < d; c += 8)
                {
                    var (a0, a1, a2, a3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
                    var j = 0;
                    var vc = v + c;
                    for (; j + 4 <= length; j += 4)
                    {
                        a0 = Vector256.FusedMultiplyAdd(Vector256.Create(p[j]), Vector256.Load(vc + (long)j * d), a0);
                        a1 = Vector256.FusedMultiplyAdd(Vector256.Create(p[j + 1]), Vector256.Load(vc + (long)(j + 1) * d), a1);
                        a2 = Vector256.FusedMultiplyAdd(Vector256.Create(p[j + 2]), Vector256.Load(vc + (long)(j + 2) * d), a2);
                        a3 = Vector256.FusedMultiplyAdd(Vector256.Create(p[j + 3]), Vector256.Load(vc + (long)(j + 3) * d), a3);
                    }
                    for (; j < length; j++) a0 = Vector256.FusedMultiplyAdd(Vector256.Create(p[j]), Vector256.Load(vc + (long)j * d), a0);
                    ((a0 + a1) + (a2 + a3)).Store(og + c);
                }
                continue;
            }
            new Span<float>(og, d).Clear();
            for (var j = 0; j < length; j++)
                for (c = 0; c < d; c++) og[c] += p[j] * v[(long)j * d + c];
        }
    }

    // The dot products of q [d] with the 8 keys k[0..8) [8, d] (d a multiple of 8): eight partial-sum vectors, then
    // one horizontal reduction for all eight.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Dot8(float* q, float* k, int d)
    {
        var (a0, a1, a2, a3, a4, a5, a6, a7) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero,
            Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        for (var c = 0; c < d; c += 8)
        {
            var qc = Vector256.Load(q + c);
            a0 = Fma.MultiplyAdd(qc, Vector256.Load(k + c), a0);
            a1 = Fma.MultiplyAdd(qc, Vector256.Load(k + d + c), a1);
            a2 = Fma.MultiplyAdd(qc, Vector256.Load(k + 2 * d + c), a2);
            a3 = Fma.MultiplyAdd(qc, Vector256.Load(k + 3 * d + c), a3);
            a4 = Fma.MultiplyAdd(qc, Vector256.Load(k + 4 * d + c), a4);
            a5 = Fma.MultiplyAdd(qc, Vector256.Load(k + 5 * d + c), a5);
            a6 = Fma.MultiplyAdd(qc, Vector256.Load(k + 6 * d + c), a6);
            a7 = Fma.MultiplyAdd(qc, Vector256.Load(k + 7 * d + c), a7);
        }
        // hadd pairs within 128-bit lanes; after two rounds lane 0 holds keys 0-3's low-half sums, lane 1 their high halves.
        var h0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
        var h4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
        return Avx.Permute2x128(h0123, h4567, 0x20) + Avx.Permute2x128(h0123, h4567, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Dot(float* a, float* b, int d)
    {
        var i = 0;
        var sum = 0f;
        if (Vector256.IsHardwareAccelerated && d >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= d; i += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            sum = Vector256.Sum(acc);
        }
        for (; i < d; i++) sum += a[i] * b[i];
        return sum;
    }
}
