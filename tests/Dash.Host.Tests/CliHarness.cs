// Runs the dash CLI in-process and captures what it prints.
namespace Dash.Host.Tests;

public sealed record CliResult(int ExitCode, string Out, string Err);

public static class CliHarness
{
    private static readonly Lock Gate = new();

    public static CliResult Run(params string[] args)
    {
        // Commands share the process console (Ctrl+C handler); run one at a time.
        lock (Gate)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = Cli.Run(args, output, error);
            // As the end of a dash process would: close the journal's pooled SQLite connections (the last one to close
            // checkpoints the WAL into journal.db). Left open, one closed later by the pool (under load: in the middle of
            // a later command) rewrote journal.db and made ValidateFirstSpecs see a refused start change the run folder.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return new CliResult(code, output.ToString(), error.ToString());
        }
    }
}
