// The error a malformed dataset file raises: it names the file (and the line) and says what is wrong.
namespace Dash.Tasks.Data;

/// <summary>A malformed dataset file; the message reads "file:line: what is wrong", or "file: what is wrong" for the whole file.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>A bad line (1-based).</summary>
    public DataFormatException(string file, int line, string problem) : base($"{file}:{line}: {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>A problem with the whole file (it is empty, for example); <see cref="Line"/> is 0.</summary>
    public DataFormatException(string file, string problem) : base($"{file}: {problem}")
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The file that holds the bad line.</summary>
    public string File { get; }

    /// <summary>The 1-based line number, or 0 when the whole file is at fault.</summary>
    public int Line { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
