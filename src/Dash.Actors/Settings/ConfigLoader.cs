// Builds the effective configuration: user overrides, then the chosen preset, then hocon/dash.conf; remembers sources.
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Dash.Actors.Settings;

/// <summary>The effective configuration and, for every key, where its value came from.</summary>
public sealed record EffectiveConfig(Config Config, IReadOnlyDictionary<string, string> Sources, DashSettings Settings)
{
    /// <summary>Every dash.* key with its value, one per line, sorted: what a run journals and compares on resume.</summary>
    public string Text => ConfigLoader.Render(Config, Sources.Keys);
}

public static class ConfigLoader
{
    /// <summary>The defaults file, embedded from hocon/dash.conf.</summary>
    public static Config Defaults => Embedded("dash.conf");

    /// <summary>The presets file, embedded from hocon/presets.conf.</summary>
    public static Config Presets => Embedded("presets.conf");

    /// <summary>Reads an embedded hocon/ file by name.</summary>
    public static string EmbeddedText(string name)
    {
        using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Dash.hocon." + name)
            ?? throw new InvalidOperationException($"hocon/{name} is not embedded in Dash.Actors.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Config Embedded(string name) => ConfigurationFactory.ParseString(EmbeddedText(name));

    /// <summary>
    /// Loads the effective configuration. <paramref name="files"/> are HOCON files (later ones win);
    /// <paramref name="sets"/> are <c>key=value</c> overrides (win over files); <paramref name="algorithm"/> picks a preset.
    /// </summary>
    public static EffectiveConfig Load(IEnumerable<string>? files = null, IEnumerable<string>? sets = null, string? algorithm = null)
    {
        var defaults = Defaults;
        var defaultKeys = LeafPaths(defaults).ToHashSet();
        var layers = new List<SettingsLayer>();
        foreach (var set in (sets ?? []).Reverse()) layers.Add(SettingsLayers.ParseSet(set));
        if (algorithm is not null)
            layers.Add(new SettingsLayer(ConfigurationFactory.ParseString($"dash.algorithm = {Quote(algorithm)}"), "--algorithm", new Dictionary<string, int>()));
        foreach (var file in (files ?? []).Reverse()) layers.Add(ParseFile(file));
        foreach (var layer in layers) SettingsLayers.CheckKnown(layer, defaultKeys);
        var user = SettingsLayers.Merge(layers, Config.Empty);

        var name = (user.HasPath("dash.algorithm") ? user.GetString("dash.algorithm") : defaults.GetString("dash.algorithm")).Trim();
        var presets = Presets;
        if (!presets.HasPath($"dash.presets.{name}"))
        {
            var known = presets.GetConfig("dash.presets").Root.GetObject().Items.Keys;
            var where = SettingsLayers.Origin(layers, "dash.algorithm") is { } w ? $"{w}: " : "";
            throw new SettingsException($"{where}dash.algorithm = \"{name}\" is not a preset; choose one of: {string.Join(", ", known)}.");
        }
        var preset = RootUnderDash(presets.GetConfig($"dash.presets.{name}"));
        SettingsLayers.CheckKnown(new SettingsLayer(preset, $"hocon/presets.conf ({name})", new Dictionary<string, int>()), defaultKeys);

        var effective = WithOffAsNumbers(user.WithFallback(preset).WithFallback(defaults));
        var sources = new Dictionary<string, string>();
        foreach (var key in defaultKeys)
        {
            var layer = layers.FirstOrDefault(l => l.Config.HasPath(key));
            sources[key] = layer is not null ? layer.Label
                : preset.HasPath(key) ? $"preset {name} (hocon/presets.conf)"
                : "default (hocon/dash.conf)";
        }
        return new EffectiveConfig(effective, sources, DashSettings.From(effective, key => SettingsLayers.Origin(layers, key)));
    }

    /// <summary><c>off</c> written as the number it stands for (<see cref="DashSettings.OffValues"/>), so both are the same run.</summary>
    private static Config WithOffAsNumbers(Config config)
    {
        var off = DashSettings.OffValues.Where(kv => config.HasPath(kv.Key) && !config.GetValue(kv.Key).IsArray() && !config.GetValue(kv.Key).IsObject()
                                                     && string.Equals(config.GetString(kv.Key)?.Trim(), SettingsReader.Off, StringComparison.OrdinalIgnoreCase)).ToArray();
        return off.Length == 0 ? config
            : ConfigurationFactory.ParseString(string.Join("\n", off.Select(kv => $"{kv.Key} = {Quote(kv.Value)}"))).WithFallback(config);
    }

    /// <summary>Renders the given keys as sorted HOCON lines (<c>key = "value"</c>, lists as <c>[a, b]</c>).</summary>
    public static string Render(Config config, IEnumerable<string> keys) => string.Join("\n", keys.Order(StringComparer.Ordinal).Select(k =>
    {
        var v = config.GetValue(k);
        return v.IsArray() ? $"{k} = [{string.Join(", ", v.GetArray().Select(x => Quote(x.GetString())))}]" : $"{k} = {Quote(v.GetString())}";
    })) + "\n";

    /// <summary>
    /// Keys of <paramref name="current"/> that the configuration a run recorded (<paramref name="recorded"/>) lacks and
    /// whose value is their hocon/dash.conf default: settings added since that run started, which the code that
    /// recorded it behaved as. They are no change on resume and do not count in its configuration hash.
    /// </summary>
    public static IReadOnlySet<string> UnrecordedDefaults(Config recorded, Config current)
    {
        if (recorded.IsEmpty) return new HashSet<string>();
        var defaults = Defaults;
        return LeafPaths(current).Where(k => !recorded.HasPath(k) && defaults.HasPath(k) && ValueOf(defaults, k) == ValueOf(current, k))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A key's value as text (lists joined by commas), or null when it is absent.</summary>
    public static string? ValueOf(Config c, string key) =>
        !c.HasPath(key) ? null : c.GetValue(key).IsArray() ? string.Join(",", c.GetValue(key).GetArray().Select(v => v.GetString())) : c.GetString(key);

    /// <summary>Every leaf key of a configuration, as a dotted path.</summary>
    public static IEnumerable<string> LeafPaths(Config config)
    {
        if (config.IsEmpty) yield break;
        foreach (var path in Walk(config.Root, "")) yield return path;
    }

    private static IEnumerable<string> Walk(HoconValue value, string prefix)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
                foreach (var p in Walk(child, prefix.Length == 0 ? key : $"{prefix}.{key}"))
                    yield return p;
        }
        else
        {
            yield return prefix;
        }
    }

    private static Config RootUnderDash(Config preset) => ConfigurationFactory.ParseString("dash {}").WithFallback(
        ConfigurationFactory.ParseString(string.Join("\n",
            LeafPaths(preset).Select(k => $"dash.{k} = {Quote(preset.GetString(k))}"))));

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// A --config file. A run's own config.conf (beside its journal or checkpoints) is a record, not new input: keys
    /// renamed since it was written are read under their new names instead of refused.
    /// </summary>
    private static SettingsLayer ParseFile(string path)
    {
        var layer = SettingsLayers.ParseFile(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var record = File.Exists(Path.Combine(folder, "journal.db")) || Directory.Exists(Path.Combine(folder, "checkpoints"));
        return record ? layer with { Config = SettingsLayers.Upgrade(layer.Config) } : layer;
    }

    /// <summary>
    /// The HOCON text of a <c>key=value</c> override's value: as written when it is well-formed HOCON; quoted when it
    /// is plain text that only looks like punctuation (<c>a:b</c>, <c>3,4</c>); a value meant as structure (braces,
    /// brackets, quotes, substitutions) but broken throws, naming the column in the <paramref name="option"/> text.
    /// </summary>
    public static string SetValue(string set, string option)
    {
        var eq = set.IndexOf('=', StringComparison.Ordinal);
        var raw = set[(eq + 1)..];
        var value = raw.Trim();
        if (value.Length == 0 || HoconSyntax.FindInValue(value) is not { } e) return value;
        if (value.IndexOfAny(['{', '}', '[', ']', '"']) < 0 && !value.Contains("${", StringComparison.Ordinal)) return Quote(value);
        var column = eq + 1 + (raw.Length - raw.TrimStart().Length) + e.Column;
        throw new SettingsException($"{option} \"{set}\": HOCON syntax error at column {column}: {e.Problem}");
    }
}
