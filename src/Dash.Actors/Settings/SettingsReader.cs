// Typed reads of one effective configuration (dash, cluster or simulate settings): every error names the key, the
// expected form and where the bad value was written (file:line, or the --set text).
using System.Globalization;
using Akka.Configuration;

namespace Dash.Actors.Settings;

/// <summary>
/// Reads typed values from an effective configuration. <paramref name="origin"/> says where a key's value was written
/// (null or an empty answer: a default of hocon/); it closes every error about that key.
/// </summary>
public sealed class SettingsReader(Config config, Func<string, string?>? origin = null)
{
    /// <summary>The word every key that can be switched off accepts (hocon/dash.conf, "Conventions").</summary>
    public const string Off = "off";

    /// <summary>A settings error about <paramref name="key"/>, closed by where its value was written: "… (from my.conf:3)."</summary>
    public SettingsException Bad(string key, string message) =>
        new(origin?.Invoke(key) is not { Length: > 0 } where ? message
            : message.EndsWith('.') ? $"{message[..^1]} (from {where})." : $"{message} (from {where})");

    private string Raw(string key)
    {
        if (!config.HasPath(key)) throw new SettingsException($"{key} is missing from the configuration.");
        try
        {
            return config.GetString(key) ?? throw Bad(key, $"{key} must be a single value.");
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw Bad(key, $"{key} must be a single value, not an object or list.");
        }
    }

    public string String(string key) => Raw(key);

    public string Choice(string key, params string[] options)
    {
        var v = Raw(key).Trim().ToLowerInvariant();
        return options.Contains(v) ? v : throw Bad(key, $"{key} = \"{Raw(key)}\" is not one of: {string.Join(", ", options)}.");
    }

    public bool Bool(string key) => Raw(key).Trim().ToLowerInvariant() switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        var v => throw Bad(key, $"{key} = \"{v}\" is not a boolean: use on/off or true/false."),
    };

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="off"/>: what <c>off</c> means for this key.</summary>
    public int Int(string key, int min = int.MinValue, int max = int.MaxValue, int? off = null)
    {
        var v = Raw(key);
        if (off is { } o && IsOff(v)) return o;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x))
            throw Bad(key, $"{key} = \"{v}\" is not an integer{OffHint(off)}.");
        if (x < min || x > max) throw Bad(key, $"{key} = {x} is out of range [{min}, {max}]{OffHint(off)}.");
        return x;
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="off"/>: what <c>off</c> means for this key.</summary>
    public double Double(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity, double? off = null)
    {
        var v = Raw(key);
        if (off is { } o && IsOff(v)) return o;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
            throw Bad(key, $"{key} = \"{v}\" is not a number{OffHint(off)}.");
        if (x < min || x > max) throw Bad(key, $"{key} = {x.ToString(CultureInfo.InvariantCulture)} is out of range [{min}, {max}]{OffHint(off)}.");
        return x;
    }

    public float Float(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity, double? off = null) =>
        (float)Double(key, min, max, off);

    /// <summary>A size in bytes: a HOCON size (<c>1MiB</c>, <c>4096</c>) of at least <paramref name="min"/>.</summary>
    public long Bytes(string key, long min = 0, long max = long.MaxValue)
    {
        var v = Raw(key);
        long? x;
        try
        {
            x = config.GetByteSize(key);
        }
        catch (Exception)
        {
            x = null;
        }
        if (x is not { } bytes) throw Bad(key, $"{key} = \"{v}\" is not a size: write bytes or a unit, for example 1MiB.");
        if (bytes < min || bytes > max) throw Bad(key, $"{key} = {v} ({bytes} bytes) is out of range [{min}, {max}] bytes.");
        return bytes;
    }

    /// <summary>A time in seconds (the key's name ends in <c>-seconds</c>; hocon/dash.conf, "Conventions"), at least <paramref name="min"/>.</summary>
    public TimeSpan Seconds(string key, double min = 0) => TimeSpan.FromSeconds(Double(key, min));

    private static bool IsOff(string v) => v.Trim().Equals(Off, StringComparison.OrdinalIgnoreCase);

    private static string OffHint(IFormattable? off) => off is null ? "" : $" (write off, or {off.ToString(null, CultureInfo.InvariantCulture)}, to switch it off)";

    /// <summary>A device name (cpu, cuda, cuda:N); <paramref name="allowEmpty"/>: "" means the key's default device.</summary>
    public string Device(string key, bool allowEmpty = false)
    {
        var v = Raw(key).Trim();
        return allowEmpty && v.Length == 0 ? "" : ParseDevice(v, key, key);
    }

    public string[] DeviceList(string key)
    {
        if (!config.HasPath(key)) throw new SettingsException($"{key} is missing from the configuration.");
        var value = config.GetValue(key);
        IEnumerable<string> xs;
        try
        {
            xs = value.IsArray() ? config.GetStringList(key)
                : (value.GetString() ?? throw new FormatException()).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception)
        {
            throw Bad(key, $"{key} must list devices, as \"cuda:0,cuda:1\" or [\"cuda:0\", \"cuda:1\"] (\"\" = dash.model.device).");
        }
        return [.. xs.Select((x, i) => ParseDevice(x.Trim(), $"{key}[{i}]", key))];
    }

    private string ParseDevice(string text, string name, string key)
    {
        try
        {
            return Dash.Model.Runtime.DeviceSpec.Parse(text, name).ToString();
        }
        catch (ArgumentException e)
        {
            throw Bad(key, e.Message);
        }
    }

    public int[] IntList(string key, int min, int max)
    {
        if (!config.HasPath(key)) throw new SettingsException($"{key} is missing from the configuration.");
        IList<int> xs;
        try
        {
            xs = config.GetIntList(key);
        }
        catch (Exception)
        {
            throw Bad(key, $"{key} must be a list of integers, for example [1, 2].");
        }
        if (xs.Count == 0) throw Bad(key, $"{key} must not be empty.");
        foreach (var x in xs)
            if (x < min || x > max) throw Bad(key, $"{key} contains {x}, out of range [{min}, {max}].");
        return [.. xs];
    }
}
