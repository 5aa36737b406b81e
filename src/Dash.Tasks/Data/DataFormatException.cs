// The error a malformed dataset line raises: it names the file and the line and says what is wrong.
namespace Dash.Tasks.Data;

/// <summary>A malformed line in a dataset file; the message reads "file:line: what is wrong".</summary>
public sealed class DataFormatException(string file, int line, string problem)
    : Exception($"{file}:{line}: {problem}")
{
    /// <summary>The file that holds the bad line.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based line number.</summary>
    public int Line { get; } = line;

    /// <summary>What is wrong with the line.</summary>
    public string Problem { get; } = problem;
}
