// Hendrycks-style LaTeX answer normalisation: one canonical spelling for fractions, units, spacing and relations.
using System.Text;
using System.Text.RegularExpressions;

namespace Dash.Tasks.Grading;

/// <summary>Pure string rewrites that make two spellings of one answer identical where possible.</summary>
public static partial class LatexNormalizer
{
    private static readonly string[] TextCommands =
        ["text", "textbf", "textit", "textnormal", "textrm", "mathrm", "mathbf", "mathit", "mbox", "operatorname", "mathsf", "boxed", "fbox"];

    // Stands in for the "\\" row break while single-backslash spacing commands are rewritten.
    private const string RowBreak = "\u0001";

    private static readonly (string From, string To)[] Replacements =
    [
        (",\\!", ""), ("{,}", ""), ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\cfrac", "\\frac"),
        ("\\dbinom", "\\binom"), ("\\tbinom", "\\binom"), ("^{\\circ}", ""), ("^\\circ", ""), ("\\circ", ""), ("°", ""),
        ("\\degree", ""), ("\\$", ""), ("$", ""), ("\\%", ""), ("%", ""), ("\\displaystyle", ""),
        ("\\qquad", " "), ("\\quad", " "), ("\\!", ""), ("\\,", " "), ("\\;", " "), ("\\:", " "), ("\\ ", " "), ("~", " "),
        ("\\leqslant", "\\le "), ("\\geqslant", "\\ge "), ("\\leq", "\\le "), ("\\geq", "\\ge "), ("\\neq", "\\ne "),
        ("<=", "\\le "), (">=", "\\ge "), ("!=", "\\ne "), ("≤", "\\le "), ("≥", "\\ge "), ("≠", "\\ne "),
        ("\\lt", "<"), ("\\gt", ">"), ("\\lbrace", "\\{"), ("\\rbrace", "\\}"), ("\\emptyset", "\\varnothing"),
        ("bmatrix", "pmatrix"), ("vmatrix", "pmatrix"), ("Bmatrix", "pmatrix"), ("smallmatrix", "pmatrix"),
        ("\\infin", "\\infty"), ("∞", "\\infty"), ("π", "\\pi"), ("√", "\\sqrt"), ("×", "\\times"), ("·", "\\cdot"), ("−", "-"),
    ];

    /// <summary>
    /// Normalises an extracted answer: collapses escaped commands, strips \left/\right, spacing, dollars, percent,
    /// degrees and trailing units, rewrites \dfrac/\tfrac, \frac12 and \sqrt3, and unwraps \text{…}.
    /// </summary>
    public static string Normalize(string answer)
    {
        var s = CollapseEscapedCommands(answer.Trim()).Replace("\\\\", RowBreak, StringComparison.Ordinal);
        s = SizingCommand().Replace(s, "");
        s = BracedComma().Replace(s, "");
        s = CommaThinSpace().Replace(s, "");
        foreach (var (from, to) in Replacements) s = s.Replace(from, to, StringComparison.Ordinal);
        s = PercentWord().Replace(s, "");
        s = RemoveTrailingUnits(s);
        s = UnwrapTextCommands(s);
        s = Conjunction().Replace(s, ",");
        s = ThousandsSpace().Replace(s, "");
        s = ThousandsComma().Replace(s, m => m.Value.Replace(",", "", StringComparison.Ordinal));
        s = LeadingDot().Replace(s, "0.");
        s = FixArguments(s);
        s = Whitespace().Replace(s, " ").Trim();
        s = s.TrimEnd('.', ',', ';', ' ').TrimStart(',', ';', ' ', ':').Trim('"');
        return s.Replace(RowBreak, "\\\\", StringComparison.Ordinal);
    }

    /// <summary>The comparison key of a normalised answer: no spaces at all.</summary>
    public static string Key(string normalized) => Whitespace().Replace(normalized, "");

    /// <summary>Rewrites "\\frac" (an escaped backslash before a command) to "\frac", leaving "\\" row breaks alone.</summary>
    public static string CollapseEscapedCommands(string s)
    {
        if (!s.Contains("\\\\", StringComparison.Ordinal)) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] == '\\')
            {
                var next = i + 2 < s.Length ? s[i + 2] : '\0';
                if (char.IsAsciiLetter(next) || next is '{' or '}' or '(' or ')' or '[' or ']' or '%' or '$' or ',' or '!') sb.Append('\\');
                else sb.Append("\\\\");
                i++;
                continue;
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>Braces the one-character arguments of \frac and \sqrt: \frac12 → \frac{1}{2}, \sqrt3 → \sqrt{3}.</summary>
    public static string FixArguments(string s)
    {
        if (!s.Contains("\\frac", StringComparison.Ordinal) && !s.Contains("\\sqrt", StringComparison.Ordinal)) return s;
        var sb = new StringBuilder(s.Length + 8);
        for (var i = 0; i < s.Length; i++)
        {
            var frac = string.CompareOrdinal(s, i, "\\frac", 0, 5) == 0;
            var sqrt = string.CompareOrdinal(s, i, "\\sqrt", 0, 5) == 0;
            if (!frac && !sqrt) { sb.Append(s[i]); continue; }
            sb.Append(frac ? "\\frac" : "\\sqrt");
            i += 5;
            for (var arg = 0; arg < (frac ? 2 : 1); arg++)
            {
                while (i < s.Length && s[i] == ' ') i++;
                if (i >= s.Length) break;
                if (s[i] is '{' or '[' or '\\') { i = CopyGroup(s, i, sb); continue; }
                sb.Append('{').Append(s[i]).Append('}');
                i++;
            }
            i--;
        }
        return sb.ToString();
    }

    // Copies a {…} or […] group (or a \command) starting at i and returns the index after it.
    private static int CopyGroup(string s, int i, StringBuilder sb)
    {
        if (s[i] == '\\')
        {
            var j = i + 1;
            while (j < s.Length && char.IsAsciiLetter(s[j])) j++;
            sb.Append(s, i, j - i);
            return j;
        }
        var open = s[i];
        var close = open == '{' ? '}' : ']';
        var depth = 0;
        var k = i;
        for (; k < s.Length; k++)
        {
            if (s[k] == open) depth++;
            else if (s[k] == close && --depth == 0) break;
        }
        var end = Math.Min(k + 1, s.Length);
        sb.Append(s, i, end - i);
        if (open == '[' && end < s.Length) return CopyGroup(s, end, sb);
        return end;
    }

    private static string RemoveTrailingUnits(string s)
    {
        for (var guard = 0; guard < 4; guard++)
        {
            var m = TrailingTextUnit().Match(s);
            if (!m.Success || m.Index == 0 || !s[..m.Index].Any(char.IsAsciiDigit)) break;
            s = s[..m.Index].TrimEnd();
        }
        var plain = TrailingUnitWord().Match(s);
        if (plain.Success && plain.Index > 0) s = s[..plain.Index].TrimEnd();
        return s;
    }

    private static string UnwrapTextCommands(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal)) return s;
        foreach (var command in TextCommands)
        {
            var token = "\\" + command + "{";
            for (var guard = 0; guard < 64; guard++)
            {
                var at = s.IndexOf(token, StringComparison.Ordinal);
                if (at < 0) break;
                var open = at + token.Length - 1;
                var close = MatchBrace(s, open);
                if (close < 0) break;
                s = string.Concat(s.AsSpan(0, at), s.AsSpan(open + 1, close - open - 1), s.AsSpan(close + 1));
            }
        }
        return s;
    }

    /// <summary>The index of the brace closing the one at <paramref name="open"/>, skipping \{ and \}; -1 if none.</summary>
    public static int MatchBrace(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            if (s[i] == '\\') { i++; continue; }
            if (s[i] == '{') depth++;
            else if (s[i] == '}' && --depth == 0) return i;
        }
        return -1;
    }

    [GeneratedRegex(@"\\(left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![a-zA-Z])")]
    private static partial Regex SizingCommand();

    [GeneratedRegex(@"\s*\b(percentage|percent|pct)\b")]
    private static partial Regex PercentWord();

    [GeneratedRegex(@"\\(text|mbox|textnormal|textrm|mathrm|textbf)\{\s*[A-Za-z][A-Za-z .]*\}(\^\{?\d\}?)?\s*\.?$")]
    private static partial Regex TrailingTextUnit();

    [GeneratedRegex(@"(?<=[\d}])\s+(square\s+)?(cm|mm|km|m|meters?|metres?|inch(es)?|in|ft|feet|foot|yards?|miles?|units?|dollars?|cents?|degrees?|yuan|hours?|minutes?|seconds?|days?|weeks?|years?|kg|g|grams?|liters?|litres?|L|mph|sq)(\^\{?\d\}?|²|³)?\s*\.?$")]
    private static partial Regex TrailingUnitWord();

    [GeneratedRegex(@"(,\s*)?\b(and|or)\b\s*")]
    private static partial Regex Conjunction();

    [GeneratedRegex(@"(?<=^-?\d{1,3}( \d{3})*) (?=\d{3}( \d{3})*(\.\d+)?$)")]
    private static partial Regex ThousandsSpace();

    [GeneratedRegex(@"(?<=^([A-Za-z]\w*\s*=\s*)?)-?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")]
    private static partial Regex ThousandsComma();

    [GeneratedRegex(@"(?<![\d}])\.(?=\d)")]
    private static partial Regex LeadingDot();

    [GeneratedRegex(@"(?<=\d),\s*\\!\s*(?=\d)")]
    private static partial Regex CommaThinSpace();

    [GeneratedRegex(@"\{\s*,\s*\}")]
    private static partial Regex BracedComma();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
