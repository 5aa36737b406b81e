// Akka's own error log (an actor that fails to start, with its stack trace) goes to the run folder's dash.log, not the
// terminal; the terminal shows one line, and the stack trace only with --verbose. Real `dash train` processes.
using Dash.Host.Tests.Crash;
using Dash.Testing;

namespace Dash.Host.Tests;

public sealed class AkkaLogSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-akkalog-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [Fact]
    public void Should_keep_akka_stack_traces_off_the_terminal_and_in_the_run_log()
    {
        var model = TruncatedModel();

        var r = DashProcess.Run(Args(model, "quiet"), _dir, kill: null, delayMs: 0);

        Assert.Equal(2, r.ExitCode);
        var terminal = string.Join('\n', r.Lines) + "\n" + r.Error;
        Assert.DoesNotContain("   at ", terminal, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", terminal, StringComparison.Ordinal);
        var message = Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Contains("model.safetensors", message, StringComparison.Ordinal);
        var log = Path.Combine(_dir, "quiet", "dash.log");
        if (Directory.Exists(Path.GetDirectoryName(log)))
        {
            // The failure reached the actor system (the run folder exists): its log holds the trace.
            var text = File.ReadAllText(log);
            Assert.Contains("[ERROR]", text, StringComparison.Ordinal);
            Assert.Contains("   at ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Should_print_akka_stack_traces_with_verbose()
    {
        var r = DashProcess.Run([.. Args(TruncatedModel(), "loud"), "--verbose"], _dir, kill: null, delayMs: 0);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("ActorInitializationException", r.Error, StringComparison.Ordinal);
        Assert.Contains("   at ", r.Error, StringComparison.Ordinal);
    }

    private static string[] Args(string model, string id) =>
        ["train", "--runs-dir", ".", "--run-id", id, "--steps", "2", "--set", $"model.dir={model}", "--set", "sampling.max-new-tokens=8"];

    /// <summary>The stories260K model with its weights file cut in half: its header lies about the data that follows.</summary>
    private string TruncatedModel()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "model-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        foreach (var f in Directory.GetFiles(SharedData.File("models/stories260K"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        Dash.Model.Tokenizers.CharTokenizer.Default.Save(Path.Combine(dir, Dash.Model.Tokenizers.CharTokenizer.FileName));
        var weights = Path.Combine(dir, "model.safetensors");
        File.SetAttributes(weights, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        return dir;
    }
}
