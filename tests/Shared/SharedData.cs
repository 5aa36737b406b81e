// Locates the public test data in ../shared/data by walking up from the test assembly.
using System.Runtime.CompilerServices;

namespace Dash.Testing;

internal static class SharedData
{
    private static readonly Lazy<string?> RootLazy = new(FindRoot);

    /// <summary>The shared/data folder, or null when it is genuinely absent.</summary>
    public static string? Root => RootLazy.Value;

    /// <summary>Full path of a file under shared/data; fails with a clear message when the folder is missing.</summary>
    public static string File(string relative)
    {
        var root = Root ?? throw new InvalidOperationException(
            "The shared test data folder (../shared/data beside the repository) was not found. Set DASH_SHARED_DATA to its path.");
        return Path.Combine(root, relative);
    }

    /// <summary>The repository root (the folder holding Dash.sln), found by walking up from the test assembly.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "Dash.sln"))) return dir.FullName;
            throw new InvalidOperationException("Dash.sln was not found above the test assembly.");
        }
    }

    private static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("DASH_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}

internal static class TestModuleInit
{
    /// <summary>
    /// Applies the same native start-up as every Dash process before any test runs, and gives the thread pool enough
    /// threads up front: tests block on subprocesses and actor replies in parallel, and on a 2-core machine the pool
    /// otherwise grows one thread at a time while actor systems wait for a thread.
    /// </summary>
    [ModuleInitializer]
    internal static void Init()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
#if DASH_USES_TORCH
        Dash.Model.Runtime.NativeRuntime.Initialize();
#endif
    }
}
