// Entry point of the dash command.
using Dash.Host;

return Cli.Run(args);
