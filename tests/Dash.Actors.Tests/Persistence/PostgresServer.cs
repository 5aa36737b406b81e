// Starts a private PostgreSQL server for the journal tests: a temporary cluster on 127.0.0.1 and a free port.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dash.Actors.Tests.Persistence;

/// <summary>
/// A throw-away PostgreSQL cluster (initdb in a temporary folder, owned by the postgres user when running as root),
/// listening on 127.0.0.1 only. Needs the server binaries (scripts/ensure-postgres.sh installs them).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asPostgres;

    public PostgresServer()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderDescending(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL server binaries are missing: run `bash scripts/ensure-postgres.sh` (as root).");
        _asPostgres = Environment.UserName == "root";
        _dir = Path.Combine(Path.GetTempPath(), "dash-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        if (_asPostgres) Run("chown", $"postgres {_dir}", asPostgres: false);
        Port = FreePort();
        Run(Path.Combine(_bin, "initdb"), $"-D {_dir}/data -U dash --auth=trust -E UTF8 --no-sync", _asPostgres);
        Run(Path.Combine(_bin, "pg_ctl"), $"-D {_dir}/data -l {_dir}/log -w -o \"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off\" start", _asPostgres);
        Run(Path.Combine(_bin, "createdb"), $"-h 127.0.0.1 -p {Port} -U dash dash", _asPostgres);
    }

    public int Port { get; }

    public string ConnectionString(string database = "dash") => $"Host=127.0.0.1;Port={Port};Database={database};Username=dash";

    /// <summary>A fresh database on this server, for one test.</summary>
    public string NewDatabase()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..10];
        Run(Path.Combine(_bin, "createdb"), $"-h 127.0.0.1 -p {Port} -U dash {name}", _asPostgres);
        return ConnectionString(name);
    }

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), $"-D {_dir}/data -w -m immediate stop", _asPostgres);
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string args, bool asPostgres)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {args}")
            : new ProcessStartInfo(file, args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({p.ExitCode}): {error}{output.Result}");
    }
}
