// The test assembly's entry point: `dotnet Dash.Model.Tests.dll seed-probe N` prints the hash of seeded samples,
// so a spec can check that a second process draws exactly the same samples; `record-sampler FILE` records
// SamplerRecording's scenarios.
using System.Security.Cryptography;
using Dash.Model.Sampling;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Sampling;

public static class SeedProbe
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "seed-probe" && long.TryParse(args[1], out var seed))
        {
            Console.WriteLine(Hash(seed));
            return 0;
        }
        if (args.Length == 2 && args[0] == "record-sampler")
        {
            SamplerRecording.Record(args[1]);
            return 0;
        }
        Console.Error.WriteLine("usage: Dash.Model.Tests seed-probe <seed> | record-sampler <file>   (tests run through `dotnet test`)");
        return 2;
    }

    /// <summary>SHA-256 over the token ids and log-prob bits of a seeded, sampled batch from a seeded tiny model.</summary>
    public static string Hash(long seed)
    {
        using var model = TinyModels.Create(seed);
        using var generator = new Generator((ulong)seed);
        var options = new SamplingOptions { Temperature = 0.9f, TopK = 20, TopP = 0.95f, MaxNewTokens = 24, EosIds = [2] };
        var results = new Sampler(model).Sample([[1, 5, 6], [1], [1, 7, 8, 9, 10], [1, 11]], options, generator);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var r in results)
        {
            foreach (var t in r.TokenIds) hash.AppendData(BitConverter.GetBytes(t));
            foreach (var p in r.LogProbs) hash.AppendData(BitConverter.GetBytes(p));
            hash.AppendData(BitConverter.GetBytes((int)r.FinishReason));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
