// A strict check of HOCON structure with positions. Akka's parser accepts unclosed braces, stops silently at a stray
// '}' (dropping every later line), loops without end on "[1,\n}", and names no line; this runs first and says where.
namespace Dash.Actors.Settings;

/// <summary>Where a HOCON text first breaks (1-based line and column) and what is wrong there.</summary>
public sealed record HoconSyntaxError(int Line, int Column, string Problem);

public static class HoconSyntax
{
    /// <summary>Throws a <see cref="SettingsException"/> naming <paramref name="source"/>:line:column when <paramref name="text"/> is not a HOCON document.</summary>
    public static void CheckDocument(string text, string source)
    {
        if (FindInDocument(text) is { } e)
            throw new SettingsException($"{source}:{e.Line}:{e.Column}: HOCON syntax error: {e.Problem}");
    }

    /// <summary>The first syntax error of a HOCON document (an object body, or one braced object); null when there is none.</summary>
    public static HoconSyntaxError? FindInDocument(string text) => Find(text, p => p.Document());

    /// <summary>
    /// The line (1-based) where each key of a well-formed HOCON document is set, as a dotted path (<c>dash.run.steps</c>
    /// for <c>dash.run { steps = 3 }</c>); the last setting of a key wins, as in HOCON. Empty when the text is broken.
    /// </summary>
    public static IReadOnlyDictionary<string, int> KeyLines(string text)
    {
        var parser = new Parser(text, Lexer.Tokens(text));
        try
        {
            parser.Document();
        }
        catch (SyntaxFailure)
        {
            return new Dictionary<string, int>();
        }
        return parser.Lines;
    }

    /// <summary>The first syntax error of one HOCON value (what follows <c>key =</c>); null when there is none.</summary>
    public static HoconSyntaxError? FindInValue(string text) => Find(text, p => p.SingleValue());

    private static HoconSyntaxError? Find(string text, Action<Parser> parse)
    {
        try
        {
            parse(new Parser(text, Lexer.Tokens(text)));
            return null;
        }
        catch (SyntaxFailure f)
        {
            var (line, column) = Position(text, f.Offset);
            return new HoconSyntaxError(line, column, f.Message);
        }
    }

    private static (int Line, int Column) Position(string text, int offset)
    {
        int line = 1, column = 1;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n') (line, column) = (line + 1, 1);
            else column++;
        }
        return (line, column);
    }

    private sealed class SyntaxFailure(int offset, string message) : Exception(message)
    {
        public int Offset { get; } = offset;
    }

    private enum Kind { Text, Space, Newline, Comma, Separator, OpenBrace, CloseBrace, OpenBracket, CloseBracket, End }

    private readonly record struct Token(Kind Kind, int Offset, string Text);

    private static class Lexer
    {
        public static List<Token> Tokens(string s)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < s.Length)
            {
                var c = s[i];
                var start = i;
                if (c == '\n')
                {
                    tokens.Add(new Token(Kind.Newline, i++, "\n"));
                }
                else if (char.IsWhiteSpace(c) || c == '\uFEFF')
                {
                    while (i < s.Length && s[i] != '\n' && (char.IsWhiteSpace(s[i]) || s[i] == '\uFEFF')) i++;
                    tokens.Add(new Token(Kind.Space, start, " "));
                }
                else if (c == '#' || c == '/' && At(s, i, "//"))
                {
                    while (i < s.Length && s[i] != '\n') i++;
                }
                else if (Single(c) is { } kind)
                {
                    tokens.Add(new Token(kind, i++, c.ToString()));
                }
                else if (At(s, i, "+="))
                {
                    tokens.Add(new Token(Kind.Separator, i, "+="));
                    i += 2;
                }
                else if (At(s, i, "\"\"\""))
                {
                    var end = s.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) throw new SyntaxFailure(i, "this \"\"\" string is never closed; add \"\"\" where it ends.");
                    while (end + 3 < s.Length && s[end + 3] == '"') end++;
                    i = end + 3;
                    tokens.Add(new Token(Kind.Text, start, s[start..i]));
                }
                else if (c == '"')
                {
                    i++;
                    while (i < s.Length && s[i] != '"' && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
                    if (i >= s.Length || s[i] != '"') throw new SyntaxFailure(start, "this quoted string is never closed; add the \" before the end of the line.");
                    tokens.Add(new Token(Kind.Text, start, s[start..++i]));
                }
                else if (At(s, i, "${"))
                {
                    while (i < s.Length && s[i] != '}' && s[i] != '\n') i++;
                    if (i >= s.Length || s[i] != '}') throw new SyntaxFailure(start, "this ${ substitution is never closed; add '}' before the end of the line.");
                    tokens.Add(new Token(Kind.Text, start, s[start..++i]));
                }
                else
                {
                    i++;
                    while (i < s.Length && !EndsUnquoted(s, i)) i++;
                    tokens.Add(new Token(Kind.Text, start, s[start..i]));
                }
            }
            tokens.Add(new Token(Kind.End, s.Length, ""));
            return tokens;
        }

        private static Kind? Single(char c) => c switch
        {
            ',' => Kind.Comma,
            '=' or ':' => Kind.Separator,
            '{' => Kind.OpenBrace,
            '}' => Kind.CloseBrace,
            '[' => Kind.OpenBracket,
            ']' => Kind.CloseBracket,
            _ => null,
        };

        private static bool EndsUnquoted(string s, int i) =>
            char.IsWhiteSpace(s[i]) || s[i] == '\uFEFF' || Single(s[i]) is not null || s[i] is '"' or '#'
            || At(s, i, "//") || At(s, i, "${") || At(s, i, "+=");

        private static bool At(string s, int i, string what) => string.CompareOrdinal(s, i, what, 0, what.Length) == 0;
    }

    private sealed class Parser(string text, List<Token> tokens)
    {
        private int _next;
        private string _prefix = "";

        /// <summary>The line of every key parsed so far, as a dotted path.</summary>
        public Dictionary<string, int> Lines { get; } = new(StringComparer.Ordinal);

        private Token Peek => tokens[_next];

        public void Document()
        {
            Skip(Kind.Newline, Kind.Space, Kind.Comma);
            if (Peek.Kind == Kind.OpenBrace)
            {
                var open = Take();
                Body(open);
                Skip(Kind.Newline, Kind.Space, Kind.Comma);
                if (Peek.Kind != Kind.End) throw Unexpected(Peek, "after the closing '}' of the whole file");
                return;
            }
            Body(opener: null);
        }

        public void SingleValue()
        {
            Skip(Kind.Space, Kind.Newline);
            Value(key: "the value", after: new Token(Kind.Separator, 0, "="));
            Skip(Kind.Space, Kind.Newline);
            if (Peek.Kind != Kind.End) throw Unexpected(Peek, "after the value");
        }

        /// <summary>Fields up to the matching '}' (or the end of the text at the top level).</summary>
        private void Body(Token? opener)
        {
            while (true)
            {
                Skip(Kind.Newline, Kind.Space, Kind.Comma);
                var t = Peek;
                switch (t.Kind)
                {
                    case Kind.End when opener is { } o:
                        throw new SyntaxFailure(o.Offset, "this '{' is never closed; add the matching '}'.");
                    case Kind.End:
                        return;
                    case Kind.CloseBrace when opener is null:
                        throw new SyntaxFailure(t.Offset, "'}' without a matching '{' (everything after it would be ignored).");
                    case Kind.CloseBrace:
                        Take();
                        return;
                    case Kind.Text:
                        Field(opener);
                        break;
                    default:
                        throw Unexpected(t, "where a key was expected (key = value)");
                }
            }
        }

        private void Field(Token? opener)
        {
            var keyStart = Peek;
            var key = "";
            while (Peek.Kind is Kind.Text or Kind.Space) key += Take().Text;
            key = key.Trim();
            if (key.StartsWith("include ", StringComparison.Ordinal) || key == "include")
            {
                while (Peek.Kind is not (Kind.Newline or Kind.End)) Take();
                return;
            }
            var t = Peek;
            var outer = _prefix;
            _prefix = outer.Length == 0 ? key.Replace("\"", "", StringComparison.Ordinal) : $"{outer}.{key.Replace("\"", "", StringComparison.Ordinal)}";
            Lines[_prefix] = Position(text, keyStart.Offset).Line;
            switch (t.Kind)
            {
                case Kind.OpenBrace:
                    Take();
                    Body(t);
                    Parts(key);
                    break;
                case Kind.Separator:
                    Take();
                    Skip(Kind.Space, Kind.Newline);
                    Value(key, t);
                    break;
                case Kind.Newline or Kind.End or Kind.Comma or Kind.CloseBrace:
                    throw new SyntaxFailure(keyStart.Offset, $"{key} has no value; write {key} = <value> (or {key} {{ ... }}).");
                default:
                    throw Unexpected(t, $"after the key {key}; expected '=' or ':'");
            }
            _prefix = outer;
            Skip(Kind.Space);
            var end = Peek;
            if (end.Kind is Kind.Newline or Kind.Comma or Kind.End || end.Kind == Kind.CloseBrace && opener is not null) return;
            if (end.Kind == Kind.CloseBrace) throw new SyntaxFailure(end.Offset, "'}' without a matching '{' (everything after it would be ignored).");
            throw Unexpected(end, $"after the value of {key}; put the next setting on a new line");
        }

        private void Value(string key, Token after)
        {
            if (Peek.Kind is not (Kind.Text or Kind.OpenBrace or Kind.OpenBracket))
                throw new SyntaxFailure(after.Offset, $"{key} has no value after '{after.Text}'.");
            Parts(key);
        }

        /// <summary>A value: texts, objects and arrays concatenated on one line.</summary>
        private void Parts(string key)
        {
            while (true)
            {
                var t = Peek;
                switch (t.Kind)
                {
                    case Kind.Text or Kind.Space:
                        Take();
                        break;
                    case Kind.OpenBrace:
                        Take();
                        Body(t);
                        break;
                    case Kind.OpenBracket:
                        Take();
                        Array(t, key);
                        break;
                    default:
                        return;
                }
            }
        }

        private void Array(Token opener, string key)
        {
            var (line, column) = Position(text, opener.Offset);
            while (true)
            {
                Skip(Kind.Newline, Kind.Space, Kind.Comma);
                var t = Peek;
                switch (t.Kind)
                {
                    case Kind.CloseBracket:
                        Take();
                        return;
                    case Kind.End:
                        throw new SyntaxFailure(opener.Offset, $"this '[' (the value of {key}) is never closed; add the matching ']'.");
                    case Kind.CloseBrace:
                        throw new SyntaxFailure(t.Offset, $"'}}' inside the '[' opened at line {line}, column {column}; expected ']' first.");
                    case Kind.Text or Kind.OpenBrace or Kind.OpenBracket:
                        Parts(key);
                        break;
                    default:
                        throw Unexpected(t, $"inside the '[' opened at line {line}, column {column}");
                }
            }
        }

        private Token Take() => tokens[_next++];

        private void Skip(params Kind[] kinds)
        {
            while (kinds.Contains(Peek.Kind)) _next++;
        }

        private static SyntaxFailure Unexpected(Token t, string where) =>
            new(t.Offset, t.Kind == Kind.End ? $"the text ends {where}." : $"unexpected '{t.Text}' {where}.");
    }
}
