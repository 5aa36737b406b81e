// Explicit binary serializer for every Dash message, fed by the table each actor's protocol registers (no default JSON anywhere).
using Akka.Actor;
using Akka.Serialization;

namespace Dash.Actors.Protocol;

/// <summary>
/// Serializes the pipeline protocol as compact little-endian binary. Arrays of numbers are copied as raw bytes.
/// What each message looks like on the wire is declared beside its record, in its actor's protocol file; this class
/// only reads the <see cref="WireTable"/> they fill.
/// </summary>
public sealed class DashSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7301;

    /// <summary>Every wire message, by protocol.</summary>
    public static readonly WireTable Table = Register(new WireTable());

    private static WireTable Register(WireTable table)
    {
        SamplerProtocol.Register(table);
        RewardVerifierProtocol.Register(table);
        AdvantageFilterProtocol.Register(table);
        GradientAccumulatorProtocol.Register(table);
        TrainingCoordinatorProtocol.Register(table);
        return table;
    }

    public override int Identifier => Id;

    public override string Manifest(object o) => Table.Manifest(o.GetType());

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream)) Table.Write(w, obj);
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new WireReader(bytes, system);
        return Table.Read(r, manifest);
    }

    /// <summary>The HOCON that binds every <see cref="IDashMessage"/> to this serializer.</summary>
    public static Akka.Configuration.Config Hocon => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.dash = "{{typeof(DashSerializer).AssemblyQualifiedName}}"
          serialization-bindings { "{{typeof(IDashMessage).AssemblyQualifiedName}}" = dash }
          serialization-identifiers { "{{typeof(DashSerializer).AssemblyQualifiedName}}" = {{Id}} }
        }
        """);
}
