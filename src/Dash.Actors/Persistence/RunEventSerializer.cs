// Serializes journaled run events and snapshots as JSON under stable, versioned manifests (never CLR type names).
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Dash.Actors.Persistence;

public sealed class RunEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7302;

    private static readonly Dictionary<Type, string> ToManifest = new()
    {
        [typeof(RunStarted)] = "run-started.v1",
        [typeof(StepCommitted)] = "step-committed.v1",
        [typeof(EvalRecorded)] = "eval-recorded.v1",
        [typeof(RolledBack)] = "rolled-back.v1",
        [typeof(RunFinished)] = "run-finished.v1",
        [typeof(RunState)] = "run-state.v1",
    };

    private static readonly Dictionary<string, Type> FromManifest = ToManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        ToManifest.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"RunEventSerializer cannot serialize {o.GetType()}.");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType());

    public override object FromBinary(byte[] bytes, string manifest) => Decode(bytes, manifest);

    /// <summary>Decodes a journaled event or snapshot from its bytes and manifest (also used to read journal rows directly).</summary>
    public static object Decode(byte[] bytes, string manifest)
    {
        if (!FromManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"Unknown run event '{manifest}': this journal was written by a newer Dash version.");
        return JsonSerializer.Deserialize(bytes, type) ?? throw new SerializationException($"Empty {manifest} payload.");
    }

    public static Akka.Configuration.Config Hocon => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.dash-run = "{{typeof(RunEventSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            "{{typeof(IRunEvent).AssemblyQualifiedName}}" = dash-run
            "{{typeof(RunState).AssemblyQualifiedName}}" = dash-run
          }
          serialization-identifiers { "{{typeof(RunEventSerializer).AssemblyQualifiedName}}" = {{Id}} }
        }
        """);
}
