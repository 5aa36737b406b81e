// Akka's own error log (an actor that fails to start, with its stack trace) goes to the run folder's dash.log, not the
// terminal; the terminal shows one line, and the stack trace only with --verbose. Real `dash train` processes.
using System.Text;
using System.Text.Json.Nodes;
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
        var model = UntiedHeadModel();

        var r = DashProcess.Run(Args(model, "quiet"), _dir, kill: null, delayMs: 0);

        Assert.Equal(2, r.ExitCode);
        var terminal = string.Join('\n', r.Lines) + "\n" + r.Error;
        Assert.DoesNotContain("   at ", terminal, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", terminal, StringComparison.Ordinal);
        var message = Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Contains("model.safetensors", message, StringComparison.Ordinal);
        Assert.DoesNotContain("intact", message, StringComparison.Ordinal); // No step was committed.
        // The failure reached the actor system (the run folder exists): its log holds the trace.
        var text = File.ReadAllText(Path.Combine(_dir, "quiet", "dash.log"));
        Assert.Contains("[ERROR]", text, StringComparison.Ordinal);
        Assert.Contains("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_print_akka_stack_traces_with_verbose()
    {
        var r = DashProcess.Run([.. Args(UntiedHeadModel(), "loud"), "--verbose"], _dir, kill: null, delayMs: 0);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("ActorInitializationException", r.Error, StringComparison.Ordinal);
        Assert.Contains("   at ", r.Error, StringComparison.Ordinal);
    }

    private static string[] Args(string model, string id) =>
        ["train", "--runs-dir", ".", "--run-id", id, "--steps", "2", "--set", $"model.dir={model}", "--set", "sampling.max-new-tokens=8"];

    /// <summary>
    /// The stories260K model (tied embeddings) whose weights file also stores an lm_head.weight that differs from the
    /// embedding: every header, byte range and shape is right, so the start-up checks pass, and only the actor that
    /// loads the weights (and compares them) fails.
    /// </summary>
    private string UntiedHeadModel()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "model-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        foreach (var f in Directory.GetFiles(SharedData.File("models/stories260K"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        Dash.Model.Tokenizers.CharTokenizer.Default.Save(Path.Combine(dir, Dash.Model.Tokenizers.CharTokenizer.FileName));
        var weights = Path.Combine(dir, "model.safetensors");
        File.SetAttributes(weights, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(weights);
        var headerLength = (int)BitConverter.ToInt64(bytes, 0);
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        var data = bytes[(8 + headerLength)..];
        var embed = header["model.embed_tokens.weight"]!;
        var (begin, end) = (embed["data_offsets"]![0]!.GetValue<long>(), embed["data_offsets"]![1]!.GetValue<long>());
        var head = data[(int)begin..(int)end];
        head[0] ^= 0x40;
        header["lm_head.weight"] = new JsonObject
        {
            ["dtype"] = embed["dtype"]!.GetValue<string>(),
            ["shape"] = embed["shape"]!.DeepClone(),
            ["data_offsets"] = new JsonArray(data.Length, data.Length + head.Length),
        };
        var newHeader = Encoding.UTF8.GetBytes(header.ToJsonString());
        File.WriteAllBytes(weights, [.. BitConverter.GetBytes((long)newHeader.Length), .. newHeader, .. data, .. head]);
        return dir;
    }
}
