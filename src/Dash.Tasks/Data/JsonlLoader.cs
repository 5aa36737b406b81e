// Reads problems from a JSONL file through a field mapping; strict by default, lenient (skip and count) on request.
using System.Text.Json;

namespace Dash.Tasks.Data;

/// <summary>Where the gold answer of a row comes from.</summary>
public enum AnswerSource
{
    /// <summary>The answer field, as it is.</summary>
    Field,

    /// <summary>The last \boxed{…} of the solution field (Hendrycks MATH).</summary>
    LastBoxedInSolution,

    /// <summary>The text after "#### " in the answer field, commas removed (GSM8K).</summary>
    Gsm8kHashes,
}

/// <summary>Names the JSON fields of one dataset's rows.</summary>
public sealed record FieldMapping(string QuestionField, string? AnswerField, AnswerSource AnswerSource = AnswerSource.Field)
{
    /// <summary>The worked-solution field, if any.</summary>
    public string? SolutionField { get; init; }

    /// <summary>Candidate id fields, first present wins; without one the id is "name:line".</summary>
    public IReadOnlyList<string> IdFields { get; init; } = [];

    /// <summary>The difficulty-level field, if any.</summary>
    public string? LevelField { get; init; }

    /// <summary>The subject field, if any.</summary>
    public string? SubjectField { get; init; }
}

/// <summary>What a load produced: the problems and, in lenient mode, how many lines were skipped and why.</summary>
public sealed record LoadResult(IReadOnlyList<Problem> Problems, int Skipped, IReadOnlyList<string> SkipReasons);

/// <summary>Loads JSONL files into <see cref="Problem"/>s.</summary>
public static class JsonlLoader
{
    /// <summary>
    /// Loads every non-blank line of <paramref name="path"/>. Strict mode throws <see cref="DataFormatException"/> at the
    /// first malformed line; lenient mode skips it and counts it. A file without rows, or with a line that is not valid
    /// UTF-8, is refused in both modes.
    /// </summary>
    public static LoadResult Load(string path, FieldMapping mapping, bool lenient = false, string? name = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {path}", path);
        name ??= Path.GetFileNameWithoutExtension(path);
        var problems = new List<Problem>();
        var skipped = new List<string>();
        var lineNumber = 0;
        var rows = 0;
        foreach (var line in Lines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            rows++;
            try
            {
                problems.Add(ParseLine(line, mapping, $"{name}:{lineNumber}"));
            }
            catch (FormatException e)
            {
                if (!lenient) throw new DataFormatException(path, lineNumber, e.Message);
                skipped.Add($"{path}:{lineNumber}: {e.Message}");
            }
        }
        if (rows == 0) throw new DataFormatException(path, "the file has no rows; give one JSON object per line");
        return new LoadResult(problems, skipped.Count, skipped);
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // The file's lines decoded as strict UTF-8 (a leading byte-order mark and \r\n endings are fine).
    private static IEnumerable<string> Lines(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var lineNumber = 0;
        while (start < bytes.Length)
        {
            lineNumber++;
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            var length = end - start;
            if (length > 0 && bytes[end - 1] == '\r') length--;
            string line;
            try
            {
                line = StrictUtf8.GetString(bytes, start, length);
            }
            catch (System.Text.DecoderFallbackException)
            {
                throw new DataFormatException(path, lineNumber, "the line is not valid UTF-8; save the file as UTF-8");
            }
            yield return line;
            start = end + 1;
        }
    }

    private static Problem ParseLine(string line, FieldMapping mapping, string fallbackId)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the line is not a JSON object");
            var question = Required(root, mapping.QuestionField);
            var solution = mapping.SolutionField is null ? null : Optional(root, mapping.SolutionField);
            var answer = mapping.AnswerSource switch
            {
                AnswerSource.LastBoxedInSolution => Grading.AnswerExtractor.LastBoxed(solution ?? throw new FormatException($"missing field \"{mapping.SolutionField}\""))
                    ?? throw new FormatException("the solution has no \\boxed{} answer"),
                AnswerSource.Gsm8kHashes => Gsm8kAnswer(Required(root, mapping.AnswerField ?? "answer")),
                _ => Required(root, mapping.AnswerField ?? "answer"),
            };
            // A blank gold answer can never be matched: every completion would be graded wrong, silently lowering accuracy.
            // (MATH's train split, whose answers come from the solutions, has one empty \boxed{}: left as it is, so the
            // problem stream of existing runs does not shift.)
            if (mapping.AnswerSource == AnswerSource.Field && string.IsNullOrWhiteSpace(answer))
                throw new FormatException($"field \"{mapping.AnswerField ?? "answer"}\" is empty: every problem needs a gold answer");
            if (string.IsNullOrWhiteSpace(question)) throw new FormatException($"field \"{mapping.QuestionField}\" is empty");
            var id = mapping.IdFields.Select(f => Optional(root, f)).FirstOrDefault(v => v is not null) ?? fallbackId;
            var level = mapping.LevelField is null ? null : Optional(root, mapping.LevelField);
            var subject = mapping.SubjectField is null ? null : Optional(root, mapping.SubjectField);
            return new Problem(id, question, answer, solution, level, subject);
        }
    }

    /// <summary>The GSM8K answer: the text after the last "#### ", with thousands commas removed.</summary>
    public static string Gsm8kAnswer(string answerField)
    {
        var at = answerField.LastIndexOf("####", StringComparison.Ordinal);
        if (at < 0) throw new FormatException("the answer has no \"#### N\" line");
        var value = answerField[(at + 4)..].Trim().Replace(",", "", StringComparison.Ordinal);
        return value.Length == 0 ? throw new FormatException("nothing follows \"####\"") : value;
    }

    private static string Required(JsonElement root, string field) =>
        Optional(root, field) ?? throw new FormatException($"missing or non-text field \"{field}\"");

    private static string? Optional(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }
}
