// Process start-up for everything that touches TorchSharp: checks the native prerequisite, applies the allocator fix and
// asks MKL for results that do not depend on the thread count.
using System.Runtime.InteropServices;

namespace Dash.Model.Runtime;

/// <summary>
/// Every Dash process calls <see cref="Initialize"/> before its first tensor. It fails with a clear message when the
/// C++ runtime is too old for TorchSharp (instead of a TypeInitializationException deep inside the first op) and
/// stops glibc from returning large tensor buffers to the OS after every op (3-7x slower sampling otherwise). It also
/// puts MKL, libtorch's BLAS on x86, in strict conditional-reproducibility mode (<see cref="BlasReproducibility"/>).
/// </summary>
public static class NativeRuntime
{
    /// <summary>The libstdc++ symbol version TorchSharp 0.107's native library needs (GCC 13+).</summary>
    public const string RequiredGlibcxx = "GLIBCXX_3.4.32";

    /// <summary>
    /// The <c>MKL_CBWR</c> value Dash sets unless the user set one: MKL's own instruction-set dispatch, with strict
    /// conditional numerical reproducibility, so a GEMM gives the same bits on 1 or 2 threads. Without it, MKL on AVX-512
    /// Xeons splits GEMM reductions across threads and <c>dash.model.threads</c> changed the trained weights (452,570 of
    /// 800,256 after two learner steps); AMD EPYCs gave the same bits either way. It must be set before MKL's first call.
    /// </summary>
    public const string BlasReproducibility = "AUTO,STRICT";

    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;
    private static readonly Lock Gate = new();
    private static bool _initialized;

    /// <summary>True once <see cref="Initialize"/> has applied the allocator settings (Linux/glibc only).</summary>
    public static bool AllocatorTuned { get; private set; }

    /// <summary>Checks prerequisites and tunes the allocator; safe to call many times.</summary>
    /// <exception cref="NativeRuntimeException">The C++ runtime cannot load TorchSharp; the message says how to fix it.</exception>
    public static void Initialize()
    {
        lock (Gate)
        {
            if (_initialized) return;
            var problem = FindLibstdcxxProblem() ?? FindExternalLibTorchProblem();
            if (problem is not null) throw new NativeRuntimeException(problem);
            RequestReproducibleBlas();
            AllocatorTuned = TuneAllocator();
            _initialized = true;
        }
    }

    /// <summary>Returns null when libstdc++ is new enough (or the platform is not Linux), else what to do.</summary>
    public static string? FindLibstdcxxProblem()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var path = FindLibstdcxx();
        if (path is null) return null; // Unusual layout: let TorchSharp report what it finds.
        if (FileContains(path, RequiredGlibcxx)) return null;
        return $"TorchSharp needs libstdc++ with {RequiredGlibcxx} (GCC 13 or newer), but {path} is older. " +
               "On Debian 12 run `sudo bash scripts/ensure-native.sh` from the Dash repository (it installs libstdc++6 " +
               "from Debian 13); on other distributions install the libstdc++6 of GCC 13 or newer.";
    }

    /// <summary>True when this build loads the libtorch of an installed PyTorch (-p:DashExternalLibTorch=true).</summary>
#if DASH_EXTERNAL_LIBTORCH
    public static bool ExternalLibTorch => true;
#else
    public static bool ExternalLibTorch => false;
#endif

    /// <summary>Null unless this is an external-libtorch build that cannot find libtorch; else what to do.</summary>
    public static string? FindExternalLibTorchProblem()
    {
        if (!ExternalLibTorch || !OperatingSystem.IsLinux()) return null;
        if (NativeLibrary.TryLoad("libtorch_cpu.so", out _)) return null;
        return "this dash was built with -p:DashExternalLibTorch=true, which loads the libtorch of an installed PyTorch, but " +
               "libtorch_cpu.so is not on the library path (LD_LIBRARY_PATH is \"" + Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") +
               "\"). Run: export LD_LIBRARY_PATH=$(python3 -c \"import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))\")";
    }

    private static string? FindLibstdcxx()
    {
        string[] candidates =
        [
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    private static bool FileContains(string path, string ascii)
    {
        var needle = System.Text.Encoding.ASCII.GetBytes(ascii);
        var bytes = File.ReadAllBytes(ResolveLinks(path));
        return bytes.AsSpan().IndexOf(needle) >= 0;
    }

    private static string ResolveLinks(string path)
    {
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
        return target?.FullName ?? path;
    }

    /// <summary>The native <c>MKL_CBWR</c> (what MKL reads), or null when unset or off Unix.</summary>
    public static string? BlasReproducibilitySetting()
    {
        if (OperatingSystem.IsWindows()) return Environment.GetEnvironmentVariable("MKL_CBWR");
        var value = Getenv("MKL_CBWR");
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }

    private static void RequestReproducibleBlas()
    {
        // The native environment, not .NET's copy of it (which MKL never sees on Unix); a user's own MKL_CBWR wins.
        if (OperatingSystem.IsWindows())
        {
            if (Environment.GetEnvironmentVariable("MKL_CBWR") is null) Environment.SetEnvironmentVariable("MKL_CBWR", BlasReproducibility);
            return;
        }
        try
        {
            _ = Setenv("MKL_CBWR", BlasReproducibility, overwrite: 0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // A libc without setenv: MKL keeps its default (thread-count-dependent on some CPUs).
        }
    }

    private static bool TuneAllocator()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // Keep freed buffers in the heap: never mmap big blocks, never trim the heap top.
            return Mallopt(MMmapMax, 0) == 1 && Mallopt(MTrimThreshold, int.MaxValue) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // musl or another libc without mallopt.
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Bytes glibc currently holds in mmapped blocks (0 when the allocator fix is active and tensors are freed).</summary>
    public static long MmappedBytes()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        var info = MallInfo2();
        return (long)info.Hblkhd;
    }

    /// <summary>
    /// Bytes glibc has handed out and not yet been given back (in-use chunks in every arena plus mmapped blocks):
    /// what a leaked native buffer (a tensor never disposed) grows, unlike the process RSS, which also moves with
    /// arenas created under thread contention and with pages the allocator keeps for reuse. 0 off glibc.
    /// </summary>
    public static long AllocatedBytes()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        try
        {
            var info = MallInfo2();
            return (long)(info.Uordblks + info.Hblkhd);
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Bytes glibc's arenas hold from the system (in use or free), mmapped blocks included: the allocator's share of RSS.</summary>
    public static long ArenaBytes()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        var info = MallInfo2();
        return (long)(info.Arena + info.Hblkhd);
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int Setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr Getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2Struct MallInfo2();

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2Struct
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }
}

/// <summary>The native runtime cannot run TorchSharp; the message tells the user what to install.</summary>
public sealed class NativeRuntimeException(string message) : Exception(message);
