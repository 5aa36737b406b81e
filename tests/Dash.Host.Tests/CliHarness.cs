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
            return new CliResult(code, output.ToString(), error.ToString());
        }
    }
}
