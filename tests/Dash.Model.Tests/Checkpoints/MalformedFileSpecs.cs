// Specifies that every kind of broken weight file fails with one clear SafetensorsException naming file and tensor.
using System.Text;
using Dash.Model.Checkpoints;
using Dash.Model.Config;

namespace Dash.Model.Tests.Checkpoints;

public sealed class MalformedFileSpecs
{
    private const string Norm = "model.norm.weight";

    public static TheoryData<string, string, string?> Cases() => new()
    {
        { "truncated", "too short", null },
        { "header length beyond the file", "header length", null },
        { "header not json", "not valid JSON", null },
        { "header not an object", "not a JSON object", null },
        { "unknown dtype", "dtype \"F8\" is not supported", Norm },
        { "shape disagrees with byte range", "needs 256 bytes but data_offsets span 252", Norm },
        { "offsets beyond the data", "outside the data section", Norm },
        { "overlapping tensors", "overlaps", null },
        { "missing tensor", "missing", "model.layers.1.mlp.up_proj.weight" },
        { "unexpected tensor", "unexpected", "model.layers.9.mlp.up_proj.weight" },
        { "shape mismatch against the model", "does not match the model's [64]", Norm },
        { "data cut short", "outside the data section", Norm },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_reject_a_malformed_file_naming_file_and_tensor(string kind, string expected, string? tensor)
    {
        using var dir = new TempDirectory();
        using (var model = TinyModels.Create())
            ModelDirectory.Save(model, dir.Path);
        var path = dir.File(ModelDirectory.WeightsFile);
        Corrupt(path, kind);

        var e = Assert.Throws<SafetensorsException>(() => ModelDirectory.Load(dir.Path).Dispose());

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(ModelDirectory.WeightsFile, e.Message, StringComparison.Ordinal);
        if (tensor is not null) Assert.Equal(tensor, e.Tensor);
    }

    [Fact]
    public void Should_name_the_file_and_key_of_a_bad_config()
    {
        using var dir = new TempDirectory();
        using (var model = TinyModels.Create())
            ModelDirectory.Save(model, dir.Path);
        var config = dir.File(ModelDirectory.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"hidden_size\": 64", "\"hidden_size\": \"wide\"", StringComparison.Ordinal));

        var e = Assert.Throws<ModelConfigException>(() => ModelDirectory.Load(dir.Path).Dispose());

        Assert.Contains("config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("hidden_size", e.Message, StringComparison.Ordinal);
    }

    private static void Corrupt(string path, string kind)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToInt64(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        var data = bytes[(8 + headerLength)..];
        switch (kind)
        {
            case "truncated":
                File.WriteAllBytes(path, bytes[..5]);
                return;
            case "header length beyond the file":
                BitConverter.GetBytes((long)bytes.Length).CopyTo(bytes, 0);
                File.WriteAllBytes(path, bytes);
                return;
            case "header not json":
                Write(path, "{\"model.norm.weight\": {\"dtype\": ", data);
                return;
            case "header not an object":
                Write(path, "[1, 2, 3]", data);
                return;
            case "data cut short":
                File.WriteAllBytes(path, bytes[..^4]);
                return;
        }
        var json = System.Text.Json.Nodes.JsonNode.Parse(header)!.AsObject();
        var norm = json[Norm]!.AsObject();
        var begin = (long)norm["data_offsets"]![0]!;
        switch (kind)
        {
            case "unknown dtype":
                norm["dtype"] = "F8";
                break;
            case "shape disagrees with byte range":
                norm["data_offsets"]![1] = begin + 252;
                break;
            case "offsets beyond the data":
                norm["data_offsets"]![1] = data.Length + 256;
                norm["data_offsets"]![0] = data.Length;
                break;
            case "overlapping tensors":
                var other = json.First(kv => kv.Key != Norm && kv.Key != "__metadata__").Value!.AsObject();
                var otherBegin = (long)other["data_offsets"]![0]!;
                norm["data_offsets"] = new System.Text.Json.Nodes.JsonArray(otherBegin, otherBegin + 256);
                break;
            case "missing tensor":
                json.Remove("model.layers.1.mlp.up_proj.weight");
                break;
            case "unexpected tensor":
                var extra = norm.DeepClone().AsObject();
                extra["data_offsets"] = new System.Text.Json.Nodes.JsonArray(data.Length, data.Length + 256);
                json["model.layers.9.mlp.up_proj.weight"] = extra;
                data = [.. data, .. new byte[256]];
                break;
            case "shape mismatch against the model":
                norm["shape"] = new System.Text.Json.Nodes.JsonArray(2, 32);
                break;
            default:
                throw new ArgumentException(kind);
        }
        Write(path, json.ToJsonString(), data);
    }

    private static void Write(string path, string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((long)h.Length));
        f.Write(h);
        f.Write(data);
    }
}
