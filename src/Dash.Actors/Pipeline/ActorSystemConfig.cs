// The HOCON every Dash actor system starts with: the explicit serializer, the dispatchers, quiet logging.
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
}
