// Builds the dash command tree and turns user mistakes into one clear message and a non-zero exit code.
using System.CommandLine;
using System.CommandLine.Invocation;
using Dash.Host.Commands;
using Dash.Host.Training;
using Dash.Model.Runtime;

namespace Dash.Host;

/// <summary>A mistake the user can fix; the CLI prints the message alone (no stack trace unless --verbose).</summary>
public sealed class UserException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Where commands write; tests pass their own writers.</summary>
public sealed record Console2(TextWriter Out, TextWriter Err, bool Verbose)
{
    public bool IsTerminal { get; init; }
}

internal static class Cli
{
    public const int UserErrorExit = 2;
    public const int InternalErrorExit = 1;
    public const int InterruptedExit = 130; // 128 + SIGINT, the shell convention for Ctrl-C.

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print stack traces and debug details on errors.",
        Recursive = true,
    };

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = new RootCommand(
            "Dash: reinforcement learning for reasoning language models with the DASH method (preemptive sampling and " +
            "gradient filtering) on Akka.NET actors. Start with `dash train`.");
        root.Options.Add(Verbose);
        var console = (ParseResult p) => new Console2(output, error, p.GetValue(Verbose))
        {
            IsTerminal = output == Console.Out && !Console.IsOutputRedirected,
        };
        foreach (var command in CommandTree.All(console)) root.Subcommands.Add(command);
        var parsed = root.Parse(args);
        var verbose = parsed.GetValue(Verbose);
        // Help and version keep their own actions; anything else that does not parse is one line and exit 2, not the help.
        if ((parsed.Action is ParseErrorAction || parsed.Action == parsed.CommandResult.Command.Action) && CliErrors.Describe(parsed) is { } problem)
        {
            error.WriteLine(problem);
            return UserErrorExit;
        }
        CtrlC.Reset();
        int code;
        try
        {
            code = parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            code = Report(e, error, verbose);
        }
        return CtrlC.Interrupted ? InterruptedExit : code;
    }

    /// <summary>Prints an error as one clear line (plus the trace with --verbose) and returns the exit code.</summary>
    public static int Report(Exception e, TextWriter error, bool verbose)
    {
        var user = IsUserError(e);
        error.WriteLine(user ? $"dash: {e.Message}" : $"dash: internal error: {e.Message} (run again with --verbose for details)");
        if (verbose) error.WriteLine(e.ToString());
        return user ? UserErrorExit : InternalErrorExit;
    }

    private static bool IsUserError(Exception e) => e is UserException or NativeRuntimeException
        or Dash.Actors.Settings.SettingsException or Dash.Actors.Persistence.CheckpointException
        or FileNotFoundException or DirectoryNotFoundException or ArgumentException
        || e.GetType().Name.EndsWith("FormatException", StringComparison.Ordinal)
        || e.GetType().Namespace?.StartsWith("Dash.", StringComparison.Ordinal) == true && e.GetType().Name.EndsWith("Exception", StringComparison.Ordinal)
           && e is not InvalidOperationException;

    /// <summary>Native start-up for commands that touch tensors; fails with the install instructions.</summary>
    public static void InitNative() => NativeRuntime.Initialize();
}
