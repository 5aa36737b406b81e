// Builds the dash command tree and turns user mistakes into one clear message and a non-zero exit code.
using System.CommandLine;
using Dash.Model.Runtime;

namespace Dash.Host;

internal static class Cli
{
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        try
        {
            NativeRuntime.Initialize();
        }
        catch (NativeRuntimeException e)
        {
            error.WriteLine($"dash: {e.Message}");
            return 3;
        }
        var root = new RootCommand("Dash: reinforcement learning for reasoning LMs (the DASH method) on Akka.NET actors.");
        var config = new InvocationConfiguration { Output = output, Error = error };
        return root.Parse(args).Invoke(config);
    }
}
