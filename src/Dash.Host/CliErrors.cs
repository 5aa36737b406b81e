// Turns a command line System.CommandLine could not parse into one line naming the option and what it expects
// (instead of the whole help): unknown options with a did-you-mean, wrong value types, repeated options.
using System.CommandLine;
using System.CommandLine.Parsing;
using Dash.Actors.Settings;

namespace Dash.Host;

internal static class CliErrors
{
    /// <summary>The one-line message for the first problem of <paramref name="parsed"/>; null when it parsed cleanly.</summary>
    public static string? Describe(ParseResult parsed)
    {
        var command = parsed.CommandResult;
        var name = CommandPath(command);
        var help = $"`{name} --help` lists the options.";
        if (parsed.UnmatchedTokens.Count > 0) return Unmatched(command, name, parsed.UnmatchedTokens[0], help);
        if (Repeated(command) is { } repeated)
            return $"{name}: {repeated.IdentifierToken?.Value ?? repeated.Option.Name} is given {repeated.IdentifierTokenCount} times; give it once.";
        foreach (var error in parsed.Errors)
        {
            switch (error.SymbolResult)
            {
                case OptionResult o:
                    return Option(name, o, error.Message);
                case ArgumentResult { Parent: OptionResult o }:
                    return Option(name, o, error.Message);
                case ArgumentResult a when a.Tokens.Count == 0:
                    return $"{name}: missing <{a.Argument.Name}> ({a.Argument.Description}). {help.Replace("options", "usage", StringComparison.Ordinal)}";
                case ArgumentResult a:
                    return $"{name}: <{a.Argument.Name}> expects {Expected(a.Argument.ValueType)}, not '{a.Tokens[0].Value}'.";
                case CommandResult c when c.Command.Subcommands.Count > 0 && c.Command.Action is null:
                    return $"{name}: choose a command: {string.Join(", ", c.Command.Subcommands.Where(s => !s.Hidden).Select(s => s.Name))}. " +
                           $"`{name} --help` describes them.";
                case CommandResult c when MissingRequired(c) is { } option:
                    return $"{name}: {option.Name} is required ({FirstSentence(option.Description)}). {help}";
            }
        }
        return parsed.Errors.Count > 0 ? $"{name}: {parsed.Errors[0].Message} {help}" : null;
    }

    private static string Option(string command, OptionResult o, string message)
    {
        var option = o.IdentifierToken?.Value ?? o.Option.Name;
        if (o.Implicit || o.IdentifierToken is null)
            return $"{command}: {option} is required ({FirstSentence(o.Option.Description)}). `{command} --help` lists the options.";
        if (o.Tokens.Count == 0) return $"{command}: {option} needs a value: {Expected(o.Option.ValueType)}.";
        if (o.Tokens.Count > 1 && o.Option.Arity.MaximumNumberOfValues <= 1)
            return $"{command}: {option} is given {o.Tokens.Count} values ({string.Join(", ", o.Tokens.Select(t => t.Value))}); give it once.";
        if (message.StartsWith("Cannot parse argument", StringComparison.Ordinal) || message.Contains("expected type", StringComparison.Ordinal))
        {
            var bad = o.Tokens.Select(t => t.Value).FirstOrDefault(v => !Parses(o.Option.ValueType, v)) ?? o.Tokens[0].Value;
            return $"{command}: {option} expects {Expected(o.Option.ValueType)}, not '{bad}'.";
        }
        return $"{command}: {option}: {message}";
    }

    private static string Unmatched(CommandResult command, string name, string token, string help)
    {
        if (token.StartsWith('-'))
        {
            var given = token.Split('=', ':')[0];
            var names = Options(command).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
            return $"{name}: unknown option {given}.{DidYouMean(given, names)} {help}";
        }
        var commands = command.Command.Subcommands.Where(s => !s.Hidden).Select(s => s.Name).ToArray();
        if (commands.Length > 0)
            return $"{name}: unknown command '{token}'.{DidYouMean(token, commands)} Commands: {string.Join(", ", commands)}.";
        return $"{name}: unexpected argument '{token}' (options start with --). {help}";
    }

    /// <summary>An option of at most one value that appears more than once (System.CommandLine lets repeated flags pass).</summary>
    private static OptionResult? Repeated(CommandResult command)
    {
        for (SymbolResult? c = command; c is not null; c = c.Parent)
            if (c is CommandResult cr)
                foreach (var o in cr.Children.OfType<OptionResult>())
                    if (o.IdentifierTokenCount > 1 && o.Option.Arity.MaximumNumberOfValues <= 1)
                        return o;
        return null;
    }

    private static Option? MissingRequired(CommandResult c) =>
        c.Command.Options.FirstOrDefault(o => o.Required && c.Children.OfType<OptionResult>().All(r => r.Option != o || r.Implicit));

    /// <summary>The options valid at <paramref name="command"/>: its own and the recursive ones of its parents.</summary>
    private static IEnumerable<Option> Options(CommandResult command)
    {
        foreach (var o in command.Command.Options) yield return o;
        for (var c = command.Parent as CommandResult; c is not null; c = c.Parent as CommandResult)
            foreach (var o in c.Command.Options.Where(o => o.Recursive))
                yield return o;
    }

    private static string DidYouMean(string given, IEnumerable<string> known)
    {
        var best = known.Distinct().Select(k => (Name: k, Distance: Spelling.Distance(given, k)))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, given.Length / 3) ? $" Did you mean {best.Name}?" : "";
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? c = command; c is CommandResult cr; c = c.Parent)
            if (c.Parent is not null) names.Insert(0, cr.Command.Name);
        return string.Join(' ', names.Prepend("dash"));
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) type = type.GetElementType()!;
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
        return "a value";
    }

    private static bool Parses(Type type, string value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) type = type.GetElementType()!;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return type == typeof(int) ? int.TryParse(value, inv, out _)
            : type == typeof(long) ? long.TryParse(value, inv, out _)
            : type == typeof(double) || type == typeof(float) ? double.TryParse(value, inv, out _)
            : type != typeof(bool) || bool.TryParse(value, out _);
    }

    private static string FirstSentence(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "see --help";
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? text[..end] : text.TrimEnd('.')).Replace('\n', ' ');
    }
}
