// Finds the answer in a model completion: last \boxed{}, "the answer is", "#### N", last math segment, last number.
using System.Text.RegularExpressions;

namespace Dash.Tasks.Grading;

/// <summary>Pure, linear-time answer extraction.</summary>
public static partial class AnswerExtractor
{
    private readonly record struct Span(int Start, int End, string Content);

    /// <summary>Extracts the answer of <paramref name="text"/> with the given rules.</summary>
    public static Extraction Extract(string text, ExtractionOptions options, Budget? budget = null)
    {
        budget ??= Budget.Unlimited();
        Extraction? best = null;
        var bestPosition = -1;
        if (options.Boxed)
        {
            var boxes = Boxes(text, budget);
            if (boxes.Count > 0)
            {
                var (answer, count) = Combine(text, boxes, requireTrailingEnd: false);
                best = new Extraction(answer, ExtractionRule.Boxed, count > 1 ? $"{count} adjacent \\boxed{{}} combined into a set" : "last \\boxed{}");
                bestPosition = boxes[^1].Start;
            }
        }
        if (options.AnswerIs && AnswerIs(text, budget) is { } said && said.Start > bestPosition)
        {
            best = new Extraction(said.Content, ExtractionRule.AnswerIs, "\"the answer is\" phrase");
            bestPosition = said.Start;
        }
        if (options.Gsm8kHashes && Hashes(text) is { } hashes && hashes.Start > bestPosition)
        {
            best = new Extraction(hashes.Content, ExtractionRule.Gsm8kHashes, "GSM8K \"#### N\" line");
            bestPosition = hashes.Start;
        }
        if (best is not null) return best;

        if (options.WholeText && IsAnswerLike(text, options.WholeTextMaxLength))
            return new Extraction(text.Trim(), ExtractionRule.WholeText, "whole text is a short answer");

        Extraction? tail = null;
        var tailEnd = -1;
        if (options.LastMath)
        {
            var segments = MathSegments(text, budget);
            if (segments.Count > 0)
            {
                var (answer, count) = Combine(text, segments, requireTrailingEnd: true);
                tail = new Extraction(answer, ExtractionRule.LastMath, count > 1 ? $"{count} trailing math segments combined into a set" : "last math segment");
                tailEnd = segments[^1].End;
            }
        }
        if (options.LastNumber && LastNumber(text, budget) is { } number && number.End > tailEnd)
            tail = new Extraction(number.Content, ExtractionRule.LastNumber, "last number in the text");
        return tail ?? Extraction.NotFound(NotFoundReason(options));
    }

    /// <summary>"no \boxed{} … found", naming only the rules <paramref name="options"/> looked for.</summary>
    private static string NotFoundReason(ExtractionOptions options)
    {
        var looked = new List<string>();
        if (options.Boxed) looked.Add("\\boxed{}");
        if (options.AnswerIs) looked.Add("answer phrase");
        if (options.Gsm8kHashes) looked.Add("\"#### N\" line");
        if (options.LastMath) looked.Add("math segment");
        if (options.LastNumber) looked.Add("number");
        if (options.WholeText) looked.Add("short whole-text answer");
        return looked.Count switch
        {
            0 => "no answer rule is on",
            1 => $"no {looked[0]} found",
            _ => $"no {string.Join(", ", looked[..^1])} or {looked[^1]} found",
        };
    }

    /// <summary>The content of the last brace-matched \boxed{…} or \fbox{…} alone, or null when there is none.</summary>
    public static string? LastBoxed(string text, Budget? budget = null)
    {
        var boxes = Boxes(text, budget ?? Budget.Unlimited());
        return boxes.Count == 0 ? null : boxes[^1].Content;
    }

    /// <summary>Every brace-matched \boxed{…} / \fbox{…} (and \boxed 5); unbalanced ones are skipped. Linear time.</summary>
    private static List<Span> Boxes(string s, Budget budget)
    {
        var boxes = new List<Span>();
        int[]? closes = null;
        var i = 0;
        while (i < s.Length)
        {
            budget.Step();
            var at = s.IndexOf('\\', i);
            if (at < 0) break;
            var length = string.CompareOrdinal(s, at, "\\boxed", 0, 6) == 0 ? 6 : string.CompareOrdinal(s, at, "\\fbox", 0, 5) == 0 ? 5 : 0;
            if (length == 0) { i = at + 1; continue; }
            var j = at + length;
            while (j < s.Length && s[j] == ' ') j++;
            if (j < s.Length && s[j] == '{')
            {
                closes ??= MatchAllBraces(s, budget);
                var close = closes[j];
                if (close < 0) { i = j + 1; continue; }
                boxes.Add(new Span(at, close + 1, s[(j + 1)..close]));
                i = close + 1;
            }
            else if (j > at + length)
            {
                var end = j;
                while (end < s.Length && !char.IsWhiteSpace(s[end]) && s[end] is not '$' and not '.' and not ',') end++;
                if (end > j) boxes.Add(new Span(at, end, s[j..end]));
                i = end;
            }
            else i = j;
        }
        return boxes;
    }

    // For every '{' the index of its matching '}' (-1 when unmatched), in one pass; \{ and \} are not braces.
    private static int[] MatchAllBraces(string s, Budget budget)
    {
        var closes = new int[s.Length];
        var open = new Stack<int>();
        for (var i = 0; i < s.Length; i++)
        {
            if ((i & 1023) == 0) budget.Check();
            closes[i] = -1;
            var c = s[i];
            if (c == '\\') { if (i + 1 < s.Length) closes[i + 1] = -1; i++; continue; }
            if (c == '{') open.Push(i);
            else if (c == '}' && open.Count > 0) closes[open.Pop()] = i;
        }
        return closes;
    }

    // Joins the last spans when only separators (",", "and", \quad, $…) lie between them; returns the answer and count.
    private static (string Answer, int Count) Combine(string s, List<Span> spans, bool requireTrailingEnd)
    {
        var last = spans[^1];
        if (requireTrailingEnd && !IsSeparator(s[last.End..])) return (last.Content, 1);
        var first = spans.Count - 1;
        while (first > 0 && spans[first].Start - spans[first - 1].End <= 80 && IsSeparator(s[spans[first - 1].End..spans[first].Start])) first--;
        if (first == spans.Count - 1) return (last.Content, 1);
        var parts = spans.Skip(first).Select(b => b.Content.Trim()).ToList();
        return ("\\{" + string.Join(", ", parts) + "\\}", parts.Count);
    }

    private static bool IsSeparator(string gap) => gap.Length <= 80 && Separators().Replace(gap, "").Length == 0;

    private static Span? AnswerIs(string s, Budget budget)
    {
        Match? last = null;
        foreach (Match m in AnswerPhrase().Matches(s))
        {
            budget.Step();
            last = m;
        }
        if (last is null) return null;
        var i = last.Index + last.Length;
        while (i < s.Length && s[i] is ' ' or ':' or '\t') i++;
        if (i >= s.Length) return null;
        var rest = s[i..Math.Min(s.Length, i + 400)];
        string? content = null;
        if (rest.StartsWith("$$", StringComparison.Ordinal)) content = Between(rest, 2, "$$");
        else if (rest.StartsWith('$')) content = Between(rest, 1, "$");
        else if (rest.StartsWith("\\(", StringComparison.Ordinal)) content = Between(rest, 2, "\\)");
        else if (rest.StartsWith("\\[", StringComparison.Ordinal)) content = Between(rest, 2, "\\]");
        if (content is null)
        {
            if (last.Value.EndsWith(':') && !(char.IsAsciiDigit(rest[0]) || rest[0] is '-' or '\\')) return null;
            var end = SentenceEnd().Match(rest);
            content = (end.Success ? rest[..end.Index] : rest).Trim().TrimEnd('.');
        }
        return content.Trim().Length == 0 ? null : new Span(last.Index, i, content.Trim());
    }

    private static string? Between(string s, int start, string close)
    {
        var end = s.IndexOf(close, start, StringComparison.Ordinal);
        return end < 0 ? null : s[start..end];
    }

    private static Span? Hashes(string s)
    {
        var at = s.LastIndexOf("####", StringComparison.Ordinal);
        if (at < 0) return null;
        var lineEnd = s.IndexOf('\n', at);
        var content = s[(at + 4)..(lineEnd < 0 ? s.Length : lineEnd)].Trim();
        return content.Length == 0 ? null : new Span(at, at + 4, content);
    }

    /// <summary>$…$ and \(…\) on one line, $$…$$ and \[…\] across lines; \$ is a literal dollar.</summary>
    private static List<Span> MathSegments(string s, Budget budget)
    {
        var segments = new List<Span>();
        var closers = new NextOccurrence[] { new("\\)"), new("\\]"), new("$$") };
        var i = 0;
        while (i < s.Length)
        {
            budget.Step();
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                var n = s[i + 1];
                if (n is '(' or '[')
                {
                    var close = closers[n == '(' ? 0 : 1].From(s, i + 2);
                    if (close >= 0 && (n == '[' || s.IndexOf('\n', i + 2, close - i - 2) < 0))
                    {
                        Add(segments, s, i, i + 2, close, close + 2);
                        i = close + 2;
                        continue;
                    }
                }
                i += 2;
                continue;
            }
            if (c != '$') { i++; continue; }
            if (i + 1 < s.Length && s[i + 1] == '$')
            {
                var close = closers[2].From(s, i + 2);
                if (close < 0) { i += 2; continue; }
                Add(segments, s, i, i + 2, close, close + 2);
                i = close + 2;
                continue;
            }
            var end = NextDollar(s, i + 1);
            if (end < 0) break;
            if (s.IndexOf('\n', i + 1, end - i - 1) >= 0) { i = end; continue; }
            Add(segments, s, i, i + 1, end, end + 1);
            i = end + 1;
        }
        return segments;
    }

    // The next occurrence of a closer at or after a position; remembers its last answer so repeated searches stay linear.
    private sealed class NextOccurrence(string token)
    {
        private int _found = -2;

        public int From(string s, int start)
        {
            if (_found == -1 || (_found >= start)) return _found;
            _found = s.IndexOf(token, start, StringComparison.Ordinal);
            return _found;
        }
    }

    private static int NextDollar(string s, int from)
    {
        for (var k = from; k < s.Length; k++)
        {
            if (s[k] == '\\') { k++; continue; }
            if (s[k] == '$') return k;
        }
        return -1;
    }

    private static void Add(List<Span> segments, string s, int start, int contentStart, int contentEnd, int end)
    {
        var content = s[contentStart..contentEnd].Trim();
        if (content.Length > 0) segments.Add(new Span(start, end, content));
    }

    /// <summary>The last number not glued to a preceding letter: 1,000.99, -3, 2/3, 12.5%.</summary>
    private static Span? LastNumber(string s, Budget budget)
    {
        Span? last = null;
        var i = 0;
        while (i < s.Length)
        {
            budget.Step();
            if (!char.IsAsciiDigit(s[i]) || (i > 0 && (char.IsLetter(s[i - 1]) || char.IsAsciiDigit(s[i - 1]))))
            {
                i++;
                continue;
            }
            var start = i > 0 && s[i - 1] == '-' ? i - 1 : i;
            var j = i;
            while (j < s.Length && (char.IsAsciiDigit(s[j]) || (s[j] is ',' or '.' or '/' && j + 1 < s.Length && char.IsAsciiDigit(s[j + 1])))) j++;
            var end = j < s.Length && s[j] == '%' ? j + 1 : j;
            if (!(start > 0 && char.IsLetter(s[start - 1]))) last = new Span(start, end, s[start..end]);
            i = Math.Max(j, i + 1);
        }
        return last;
    }

    // Short text whose words are all maths: no run of three letters outside LaTeX commands and known words.
    private static bool IsAnswerLike(string text, int maxLength)
    {
        var t = text.Trim();
        if (t.Length == 0 || t.Length > maxLength || t.Contains('\n')) return false;
        var stripped = LatexCommand().Replace(NamedGroup().Replace(t, " "), " ");
        foreach (Match m in Word().Matches(stripped))
            if (!AllowedWords.Contains(m.Value.ToLowerInvariant())) return false;
        return true;
    }

    private static readonly HashSet<string> AllowedWords =
    [
        "and", "or", "percent", "percentage", "pct", "sin", "cos", "tan", "log", "sqrt", "units", "unit", "cm", "meters",
        "miles", "dollars", "degrees", "inches", "feet", "yuan", "hours", "minutes", "seconds", "days", "sec", "csc", "cot",
    ];

    [GeneratedRegex(@"(?i)\banswer(\s+is\b|\s*:)")]
    private static partial Regex AnswerPhrase();

    [GeneratedRegex(@"\.(\s|$)|\n|I hope")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\\(quad|qquad|text\{\s*(and|or|,)?\s*\}|textbf\{\s*(and|or)\s*\}|[(),;:!\[\] ])|\band\b|\bor\b|[\s$,;.&\\]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"\\[A-Za-z]+")]
    private static partial Regex LatexCommand();

    // \text{Evelyn}, \begin{pmatrix}: words that are an answer or an environment name, not prose.
    [GeneratedRegex(@"\\(text|textbf|textit|textnormal|mathrm|mathbf|mbox|operatorname|begin|end)\{[^{}]*\}")]
    private static partial Regex NamedGroup();

    [GeneratedRegex(@"[A-Za-z]{3,}")]
    private static partial Regex Word();
}
