// dash config show: the effective configuration and where each value came from.
using System.CommandLine;

namespace Dash.Host.Commands;

internal static class ConfigCommand
{
    public static Command Create(Func<ParseResult, Console2> console)
    {
        var options = new ConfigOptions();
        var show = new Command("show", "Print every setting with its effective value and where it came from.\n" +
                                       "Example: dash config show --algorithm grpo --set sampling.group-size=8");
        options.AddTo(show);
        show.SetAction(p =>
        {
            var c = console(p);
            var effective = options.Load(p);
            var width = effective.Sources.Keys.Max(k => k.Length);
            foreach (var line in effective.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var key = line[..line.IndexOf(" = ", StringComparison.Ordinal)];
                c.Out.WriteLine($"{line.PadRight(width + 24)}  # {effective.Sources[key]}");
            }
            return 0;
        });
        var command = new Command("config", "Inspect the configuration (defaults live in hocon/dash.conf and hocon/presets.conf).");
        command.Subcommands.Add(show);
        return command;
    }
}
