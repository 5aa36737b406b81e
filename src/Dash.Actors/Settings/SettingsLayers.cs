// The one way settings are read, for every file of hocon/ (dash.conf, cluster.conf, simulate.conf): HOCON files and
// --set overrides layered over the defaults, one --set rule, and unknown or renamed keys refused in one line that says
// where they were written (file:line or the --set text) and what to write instead.
using Akka.Configuration;

namespace Dash.Actors.Settings;

/// <summary>One layer of settings: a parsed file or one --set override, and the line each of its keys was written on.</summary>
/// <param name="Source">The file, or the whole --set text.</param>
public sealed record SettingsLayer(Config Config, string Source, IReadOnlyDictionary<string, int> Lines)
{
    /// <summary>What <c>dash config show</c> names as the source: the file, or the option (<c>--set</c>).</summary>
    public string Label { get; init; } = Source;

    /// <summary>Where <paramref name="key"/> was written: <c>file:line</c>, or the --set text.</summary>
    public string Where(string key)
    {
        for (var k = key; k.Length > 0; k = k.Contains('.', StringComparison.Ordinal) ? k[..k.LastIndexOf('.')] : "")
            if (Lines.TryGetValue(k, out var line)) return $"{Source}:{line}";
        return Source;
    }
}

public static class SettingsLayers
{
    /// <summary>
    /// Keys renamed since a run could record them, old name to new. Written by a user (a --set, a config file) the old
    /// name is refused with the new one; in a run's recorded configuration (its config.conf, its journal) it is read
    /// as the new name, so runs started before the rename resume.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string NewKey, string Why)> Renamed = new Dictionary<string, (string, string)>
    {
        ["dash.learning.warmup-steps"] = ("dash.learning.lr-warmup-steps",
            "the learning-rate warm-up; dash.model.warmup-steps is the supervised warm-up of the built-in model"),
        ["dash.cluster.join-timeout"] = ("dash.cluster.join-timeout-seconds", "times name their unit"),
    };

    /// <summary>
    /// Parses one <c>key=value</c> override, the same rule for every command and settings file: the key is its path
    /// in hocon/, the leading <c>dash.</c> optional (and, for <paramref name="implied"/> <c>dash.simulate.</c>, the
    /// <c>simulate.</c> too); the value is HOCON when well-formed (<c>[1, 2]</c>, <c>"a b"</c>, <c>1MiB</c>), else plain text.
    /// </summary>
    public static SettingsLayer ParseSet(string set, string option = "--set", string implied = "dash.")
    {
        var eq = set.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new SettingsException($"{option} \"{set}\" must look like key=value, for example {option} run.steps=20.");
        var key = KeyOf(set[..eq].Trim(), implied);
        var value = set[(eq + 1)..].Trim();
        var hocon = ConfigLoader.SetValue(set, option);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString($"{key} = {hocon}");
        }
        catch (Exception)
        {
            try
            {
                config = ConfigurationFactory.ParseString($"{key} = {Quote(value)}");
            }
            catch (Exception e)
            {
                throw new SettingsException($"{option} \"{set}\": {e.Message}");
            }
        }
        return new SettingsLayer(config, $"{option} {set}", new Dictionary<string, int>()) { Label = option };
    }

    /// <summary>The full path of a --set key: the parts of <paramref name="implied"/> it leaves out put back in front.</summary>
    public static string KeyOf(string key, string implied = "dash.")
    {
        var parts = implied.TrimEnd('.').Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var written = string.Join('.', parts[i..]) + ".";
            if (key.StartsWith(written, StringComparison.Ordinal)) return implied + key[written.Length..];
        }
        return implied + key;
    }

    /// <summary>
    /// Parses a HOCON file, checking its syntax first (file:line:column); <paramref name="bareRoot"/>: a file whose keys
    /// are not under that path has them put under it (cost-model files may hold <c>sampler { ... }</c>).
    /// </summary>
    public static SettingsLayer ParseFile(string path, string what = "Config file", string? bareRoot = null)
    {
        if (!File.Exists(path)) throw new SettingsException($"{what} {path} does not exist.");
        try
        {
            var text = File.ReadAllText(path);
            HoconSyntax.CheckDocument(text, path);
            var config = ConfigurationFactory.ParseString(text);
            var lines = HoconSyntax.KeyLines(text);
            if (bareRoot is null || config.IsEmpty || config.HasPath(bareRoot) || (bareRoot.StartsWith("dash.", StringComparison.Ordinal) && config.HasPath("dash")))
                return new SettingsLayer(config, path, lines);
            return new SettingsLayer(ConfigurationFactory.ParseString($"{bareRoot} {{\n{text}\n}}"), path,
                lines.ToDictionary(kv => $"{bareRoot}.{kv.Key}", kv => kv.Value));
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw new SettingsException($"{path}: not valid HOCON: {e.Message}");
        }
    }

    /// <summary>
    /// Refuses a key of <paramref name="layer"/> that <paramref name="known"/> lacks: a renamed key names its new name,
    /// any other the nearest known key. <paramref name="lists"/> says where every key is listed; <paramref name="checks"/>:
    /// which keys are checked (all when null).
    /// </summary>
    public static void CheckKnown(SettingsLayer layer, IReadOnlySet<string> known, string lists = "`dash config show` lists every key.",
        Func<string, bool>? checks = null)
    {
        foreach (var key in ConfigLoader.LeafPaths(layer.Config))
        {
            if (known.Contains(key) || checks?.Invoke(key) == false) continue;
            if (Renamed.TryGetValue(key, out var to) && known.Contains(to.NewKey))
                throw new SettingsException($"{key} (from {layer.Where(key)}) is now {to.NewKey} ({to.Why}): write {to.NewKey} = {ConfigLoader.ValueOf(layer.Config, key)}.");
            throw new SettingsException($"{key} (from {layer.Where(key)}) is not a Dash setting. Did you mean {Nearest(key, known)}? {lists}");
        }
    }

    /// <summary>Where the value of <paramref name="key"/> in the layers (highest priority first) was written; null: a default.</summary>
    public static string? Origin(IReadOnlyList<SettingsLayer> layers, string key) =>
        layers.FirstOrDefault(l => l.Config.HasPath(key)) is { } layer ? layer.Where(key) : null;

    /// <summary>The layers merged, the first winning, over <paramref name="fallback"/>.</summary>
    public static Config Merge(IEnumerable<SettingsLayer> layers, Config fallback) =>
        layers.Select(l => l.Config).Where(c => !c.IsEmpty).Append(fallback).Aggregate((acc, c) => c.IsEmpty ? acc : acc.IsEmpty ? c : acc.WithFallback(c));

    /// <summary>A recorded configuration with renamed keys under their new names (a run started before the rename).</summary>
    public static Config Upgrade(Config recorded) =>
        ConfigLoader.LeafPaths(recorded).Any(Renamed.ContainsKey)
            ? ConfigurationFactory.ParseString(UpgradeText(ConfigLoader.Render(recorded, ConfigLoader.LeafPaths(recorded))))
            : recorded;

    /// <summary>A recorded configuration text (<see cref="ConfigLoader.Render"/>'s lines) with renamed keys under their new names.</summary>
    public static string UpgradeText(string text) => RenameKeys(text, k => Renamed.TryGetValue(k, out var to) ? to.NewKey : null);

    /// <summary>
    /// A configuration text with renamed keys under the names they had first: what a hash that names warm-up runs is
    /// taken of, so warm-ups trained before a rename keep their names.
    /// </summary>
    public static string FirstNamesText(string text) => RenameKeys(text, k => Renamed.FirstOrDefault(r => r.Value.NewKey == k).Key);

    /// <summary>Renames keys of rendered lines; a renamed line replaces a line already under the new name (the record's value wins over a default).</summary>
    private static string RenameKeys(string text, Func<string, string?> rename)
    {
        var lines = text.Split('\n').Where(l => l.Length > 0).ToList();
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
            if (line.IndexOf(" = ", StringComparison.Ordinal) is > 0 and var eq && rename(line[..eq]) is { } to) renamed[to] = to + line[eq..];
        if (renamed.Count == 0) return text;
        var kept = lines.Where(l => l.IndexOf(" = ", StringComparison.Ordinal) is not (> 0 and var eq) || (rename(l[..eq]) is null && !renamed.ContainsKey(l[..eq])));
        return string.Join("\n", kept.Concat(renamed.Values).Order(StringComparer.Ordinal)) + (text.EndsWith('\n') ? "\n" : "");
    }

    private static string Nearest(string key, IEnumerable<string> known) => known.OrderBy(k => Spelling.Distance(k, key)).ThenBy(k => k, StringComparer.Ordinal).First();

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
