// Akka's own log (actor failures with their stack traces, dead letters, remoting warnings) written to the run folder's
// log file instead of the terminal; echoed to stderr as well with --verbose. The file is created at the first entry.
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Dash.Actors.Pipeline;

/// <summary>An Akka logger (configured by <see cref="ActorSystemConfig.LogTo"/>) appending every log event to a file.</summary>
public sealed class RunLogFile : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly string _path;
    private readonly bool _echo;
    private StreamWriter? _writer;

    public RunLogFile()
    {
        var config = Context.System.Settings.Config;
        _path = config.GetString("dash-run-log.file", "");
        _echo = config.GetBoolean("dash-run-log.echo", false);
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Write);
    }

    private void Write(LogEvent e)
    {
        var text = e.ToString();
        if (_echo) Console.Error.WriteLine(text);
        if (_path.Length == 0) return;
        try
        {
            _writer ??= new StreamWriter(new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            _writer.WriteLine(text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full or read-only disk: the log is best effort and must not take the run down with it.
        }
    }

    protected override void PostStop()
    {
        _writer?.Dispose();
        base.PostStop();
    }
}
