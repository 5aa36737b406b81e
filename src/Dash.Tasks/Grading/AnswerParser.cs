// Reads a normalised answer string into an AnswerValue: lists, sets, intervals, unions, relations, ± pairs, matrices.
namespace Dash.Tasks.Grading;

/// <summary>Splits an answer at its top-level structure and parses each scalar with <see cref="ExprParser"/>.</summary>
public static class AnswerParser
{
    private static readonly string[] RelationCommands = ["\\le", "\\ge", "\\ne", "\\approx", "\\in"];

    /// <summary>Parses a string already passed through <see cref="LatexNormalizer.Normalize"/>.</summary>
    public static AnswerValue Parse(string s, Budget budget) => Parse(s, budget, 0);

    private static AnswerValue Parse(string s, Budget budget, int depth)
    {
        budget.Step();
        budget.CheckDepth(depth);
        s = s.Trim().TrimEnd('.', ' ');
        if (s.Length == 0) return new ScalarValue("", null);

        if (Wraps(s, "\\{", "\\}", budget))
            return new SequenceValue(SequenceKind.Set, ParseItems(s[2..^2], budget, depth));
        if (s[0] == '{' && Wraps(s, "{", "}", budget)) return Parse(s[1..^1], budget, depth + 1);

        var semicolonParts = SplitTopLevel(s, ';', budget);
        if (semicolonParts.Count > 1) return List(semicolonParts, budget, depth);
        var parts = SplitTopLevel(s, ',', budget);
        if (parts.Count > 1) return List(parts, budget, depth);

        var unionParts = SplitTopLevelCommand(s, "\\cup", budget);
        if (unionParts.Count > 1) return new UnionValue(unionParts.Select(p => Parse(p, budget, depth + 1)).ToList());

        if (ParseRelation(s, budget, depth) is { } relation) return relation;
        if (s.Contains("\\pm", StringComparison.Ordinal) || s.Contains("\\mp", StringComparison.Ordinal)) return PlusMinus(s, budget, depth);

        var ratio = SplitTopLevel(s, ':', budget);
        if (ratio.Count == 2) return new SequenceValue(SequenceKind.Ratio, ratio.Select(p => Parse(p, budget, depth + 1)).ToList());

        if (s.StartsWith("\\begin{pmatrix}", StringComparison.Ordinal) && s.EndsWith("\\end{pmatrix}", StringComparison.Ordinal))
            return Matrix(s["\\begin{pmatrix}".Length..^"\\end{pmatrix}".Length], budget, depth);
        if (s.StartsWith("\\begin{array}", StringComparison.Ordinal) && s.EndsWith("\\end{array}", StringComparison.Ordinal))
            return Matrix(SkipColumnSpec(s["\\begin{array}".Length..^"\\end{array}".Length]), budget, depth);

        if (s[0] is '(' or '[' && s[^1] is ')' or ']' && ClosesAtEnd(s, budget))
        {
            var inner = s[1..^1];
            var items = SplitTopLevel(inner, ',', budget);
            if (items.Count == 1) items = SplitTopLevel(inner, ';', budget);
            if (items.Count == 1) return Parse(inner, budget, depth + 1);
            var values = items.Select(p => Parse(p, budget, depth + 1)).ToList();
            if (values.Count == 2 && (s[0] == '[' || s[^1] == ']'))
                return new IntervalValue(values[0], values[1], s[0] == '[', s[^1] == ']');
            return new SequenceValue(s[0] == '(' ? SequenceKind.Tuple : SequenceKind.Bracket, values);
        }

        var key = LatexNormalizer.Key(s);
        return new ScalarValue(key, ExprParser.TryParse(s, budget));
    }

    private static List<AnswerValue> ParseItems(string inner, Budget budget, int depth)
    {
        var items = new List<AnswerValue>();
        foreach (var part in SplitTopLevel(inner, inner.Contains(';') && !inner.Contains(',') ? ';' : ',', budget))
        {
            var value = Parse(part, budget, depth + 1);
            if (value is SequenceValue { Kind: SequenceKind.Set } pm && part.Contains("\\pm", StringComparison.Ordinal)) items.AddRange(pm.Items);
            else items.Add(value);
        }
        return items;
    }

    // A top-level list: "x = 1, 2" is the relation x = (1, 2); a list of tuples compares as a set, a list of
    // equations as assignments, and items written with ± contribute both of their values.
    private static AnswerValue List(List<string> parts, Budget budget, int depth)
    {
        var values = new List<AnswerValue>();
        foreach (var part in parts.Where(p => p.Trim().Length > 0))
        {
            var value = Parse(part, budget, depth + 1);
            var expanded = value is SequenceValue { Kind: SequenceKind.Set } set
                && (part.Contains("\\pm", StringComparison.Ordinal) || part.Contains("\\mp", StringComparison.Ordinal));
            if (expanded) values.AddRange(((SequenceValue)value).Items);
            else values.Add(value);
        }
        if (values.Count == 1) return values[0];
        if (values[0] is RelationValue { Op: "=" } first && values.Skip(1).All(v => v is not RelationValue))
        {
            var rest = new List<AnswerValue> { first.Right };
            rest.AddRange(values.Skip(1));
            return new RelationValue(first.Left, "=", new SequenceValue(SequenceKind.Bare, rest));
        }
        var kind = values.All(v => v is RelationValue { Op: "=" }) ? SequenceKind.Assignments
            : values.All(v => v is SequenceValue { Kind: SequenceKind.Tuple }) || parts.Any(p => p.Contains("\\pm", StringComparison.Ordinal)) ? SequenceKind.Set
            : SequenceKind.Bare;
        return new SequenceValue(kind, values);
    }

    private static AnswerValue? ParseRelation(string s, Budget budget, int depth)
    {
        var (parts, ops) = SplitRelations(s, budget);
        if (ops.Count == 0) return null;
        var approx = ops.IndexOf("\\approx");
        if (approx >= 0)
        {
            var left = parts[approx].Trim();
            if (approx == 0 && IsVariableLike(left)) return Parse(parts[approx + 1], budget, depth + 1);
            return Parse(Join(parts, ops, approx + 1), budget, depth + 1);
        }
        if (ops.Count == 1 && ops[0] == "\\in") return Parse(parts[1], budget, depth + 1);
        if (ops.All(o => o == "="))
        {
            if (parts.Count >= 3) return Parse(parts[^1], budget, depth + 1);
            return new RelationValue(Parse(parts[0], budget, depth + 1), "=", Parse(parts[1], budget, depth + 1));
        }
        if (ops.Count == 1) return new RelationValue(Parse(parts[0], budget, depth + 1), ops[0], Parse(parts[1], budget, depth + 1));
        if (ops.Count == 2)
        {
            var ascending = ops.All(o => o is "<" or "\\le");
            var descending = ops.All(o => o is ">" or "\\ge");
            if (ascending)
                return new IntervalValue(Parse(parts[0], budget, depth + 1), Parse(parts[2], budget, depth + 1), ops[0] == "\\le", ops[1] == "\\le") { FromInequality = true };
            if (descending)
                return new IntervalValue(Parse(parts[2], budget, depth + 1), Parse(parts[0], budget, depth + 1), ops[1] == "\\ge", ops[0] == "\\ge") { FromInequality = true };
        }
        return new ScalarValue(LatexNormalizer.Key(s), null);
    }

    private static string Join(List<string> parts, List<string> ops, int count)
    {
        if (count == 1) return parts[0];
        var sb = new System.Text.StringBuilder(parts[0]);
        for (var i = 1; i < count; i++) sb.Append(ops[i - 1]).Append(' ').Append(parts[i]);
        return sb.ToString();
    }

    /// <summary>Whether a left-hand side names a quantity (x, f(x), |AB|, a_3, (p,q), \frac{NO}{BO}) rather than an expression.</summary>
    public static bool IsVariableLike(string lhs)
    {
        lhs = lhs.Trim();
        if (lhs.Length == 0 || lhs.All(c => char.IsAsciiDigit(c) || c is '.' or ' ')) return false;
        var depth = 0;
        for (var i = 0; i < lhs.Length; i++)
        {
            var c = lhs[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (depth == 0 && c is '+' or '-' && i > 0) return false;
        }
        return true;
    }

    // a \pm b is the set {a+b, a-b}; more than four signs (16 combinations) are left unexpanded, as text.
    private static AnswerValue PlusMinus(string s, Budget budget, int depth)
    {
        var signs = s.Split("\\pm").Length + s.Split("\\mp").Length - 2;
        if (signs > 4) return new ScalarValue(LatexNormalizer.Key(s), null);
        var at = s.IndexOf("\\pm", StringComparison.Ordinal);
        var mp = s.IndexOf("\\mp", StringComparison.Ordinal);
        var minusFirst = at < 0 || (mp >= 0 && mp < at);
        at = minusFirst ? mp : at;
        var plus = s[..at] + "+" + s[(at + 3)..];
        var minus = s[..at] + "-" + s[(at + 3)..];
        var items = new List<AnswerValue>();
        foreach (var v in new[] { Parse(plus, budget, depth + 1), Parse(minus, budget, depth + 1) })
        {
            if (v is SequenceValue { Kind: SequenceKind.Set } inner) items.AddRange(inner.Items);
            else items.Add(v);
        }
        return new SequenceValue(SequenceKind.Set, items);
    }

    private static SequenceValue Matrix(string body, Budget budget, int depth)
    {
        var rows = new List<AnswerValue>();
        foreach (var row in body.Split("\\\\"))
        {
            budget.Step();
            if (row.Trim().Length == 0) continue;
            rows.Add(new SequenceValue(SequenceKind.Tuple, row.Split('&').Select(c => Parse(c, budget, depth + 1)).ToList()));
        }
        return new SequenceValue(SequenceKind.Matrix, rows);
    }

    private static string SkipColumnSpec(string body)
    {
        body = body.TrimStart();
        if (!body.StartsWith('{')) return body;
        var close = LatexNormalizer.MatchBrace(body, 0);
        return close < 0 ? body : body[(close + 1)..];
    }

    /// <summary>Splits at a separator outside every bracket pair ( [ { \{ — brackets of any kind count, for intervals.</summary>
    public static List<string> SplitTopLevel(string s, char separator, Budget budget)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            budget.Step();
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && s[i + 1] is '{' or '}') { depth += s[i + 1] == '{' ? 1 : -1; i++; continue; }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == separator && depth == 0) { parts.Add(s[start..i]); start = i + 1; }
        }
        parts.Add(s[start..]);
        return parts;
    }

    private static List<string> SplitTopLevelCommand(string s, string command, Budget budget)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            budget.Step();
            var c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == '\\' && depth == 0 && string.CompareOrdinal(s, i, command, 0, command.Length) == 0
                && (i + command.Length >= s.Length || !char.IsAsciiLetter(s[i + command.Length])))
            {
                parts.Add(s[start..i]);
                start = i + command.Length;
                i = start - 1;
            }
        }
        parts.Add(s[start..]);
        return parts;
    }

    private static (List<string> Parts, List<string> Ops) SplitRelations(string s, Budget budget)
    {
        var parts = new List<string>();
        var ops = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            budget.Step();
            var c = s[i];
            if (c is '(' or '[' or '{') { depth++; continue; }
            if (c is ')' or ']' or '}') { depth--; continue; }
            if (depth != 0) continue;
            string? op = c switch { '=' => "=", '<' => "<", '>' => ">", _ => null };
            var length = 1;
            if (c == '\\')
            {
                foreach (var command in RelationCommands)
                {
                    var end = i + command.Length;
                    if (string.CompareOrdinal(s, i, command, 0, command.Length) == 0 && (end >= s.Length || !char.IsAsciiLetter(s[end])))
                    {
                        op = command;
                        length = command.Length;
                        break;
                    }
                }
                if (op is null) { i++; continue; }
            }
            if (op is null) continue;
            parts.Add(s[start..i]);
            ops.Add(op);
            start = i + length;
            i = start - 1;
        }
        parts.Add(s[start..]);
        return (parts, ops);
    }

    private static bool Wraps(string s, string open, string close, Budget budget) =>
        s.StartsWith(open, StringComparison.Ordinal) && s.EndsWith(close, StringComparison.Ordinal) && s.Length >= open.Length + close.Length
        && ClosesAtEnd(s, budget);

    // Whether the bracket opening s closes only at its last character.
    private static bool ClosesAtEnd(string s, Budget budget)
    {
        var depth = 0;
        for (var i = 0; i < s.Length; i++)
        {
            budget.Step();
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && s[i + 1] is '{' or '}') { depth += s[i + 1] == '{' ? 1 : -1; i++; }
            else if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            if (depth == 0 && i < s.Length - 1) return false;
        }
        return depth == 0;
    }
}
