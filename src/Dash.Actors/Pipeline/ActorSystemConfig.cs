// The HOCON every Dash actor system starts with: the explicit serializer, the dispatchers, quiet logging (or a run's log file).
using Akka.Configuration;
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

public static class ActorSystemConfig
{
    /// <summary>Serializer bindings and dispatchers; add a journal or cluster settings on top.</summary>
    public static Config Base => ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          actor.serialize-messages = off
          actor.ask-timeout = 60s
        }
        """).WithFallback(DashSerializer.Hocon).WithFallback(Dispatchers.Hocon);

    /// <summary>
    /// Akka's own log goes to <paramref name="file"/> (the run folder's dash.log) instead of the terminal, at INFO and
    /// above; with <paramref name="echo"/> (--verbose) also to stderr. Layer it over <see cref="Base"/>.
    /// </summary>
    public static Config LogTo(string file, bool echo) => ConfigurationFactory.ParseString($$"""
        akka {
          loggers = ["{{typeof(RunLogFile).FullName}}, {{typeof(RunLogFile).Assembly.GetName().Name}}"]
          loglevel = INFO
          stdout-loglevel = OFF
        }
        dash-run-log {
          file = {{Quote(file)}}
          echo = {{(echo ? "on" : "off")}}
        }
        """);

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
