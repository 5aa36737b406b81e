// The datasets Dash knows by name: Hendrycks MATH, MATH-500 and GSM8K, each a field mapping over JSONL.
namespace Dash.Tasks.Data;

/// <summary>Loaders for the public datasets under shared/data (paths are given by the caller).</summary>
public static class Datasets
{
    /// <summary>Hendrycks MATH rows {problem, level, type, solution, unique_id | idx}: the answer is the last \boxed{} of the solution.</summary>
    public static FieldMapping Math { get; } = new("problem", null, AnswerSource.LastBoxedInSolution)
    {
        SolutionField = "solution",
        IdFields = ["unique_id", "idx"],
        LevelField = "level",
        SubjectField = "type",
    };

    /// <summary>MATH-500 rows {problem, solution, answer, subject, level, unique_id}.</summary>
    public static FieldMapping Math500 { get; } = new("problem", "answer")
    {
        SolutionField = "solution",
        IdFields = ["unique_id"],
        LevelField = "level",
        SubjectField = "subject",
    };

    /// <summary>GSM8K rows {question, answer}: the answer follows "#### ".</summary>
    public static FieldMapping Gsm8k { get; } = new("question", "answer", AnswerSource.Gsm8kHashes) { SolutionField = "answer" };

    /// <summary>Loads a MATH split (math/train.jsonl or math/test.jsonl).</summary>
    public static LoadResult LoadMath(string path, bool lenient = false) => JsonlLoader.Load(path, Math, lenient, "math");

    /// <summary>Loads MATH-500 (math500/test.jsonl).</summary>
    public static LoadResult LoadMath500(string path, bool lenient = false) => JsonlLoader.Load(path, Math500, lenient, "math500");

    /// <summary>Loads a GSM8K split (gsm8k/train.jsonl or gsm8k/test.jsonl).</summary>
    public static LoadResult LoadGsm8k(string path, bool lenient = false) =>
        JsonlLoader.Load(path, Gsm8k, lenient, "gsm8k/" + Path.GetFileNameWithoutExtension(path));

    /// <summary>The paper's setting: train on MATH train (7,500), hold out MATH-500; <paramref name="dataRoot"/> holds math/ and math500/.</summary>
    public static DatasetTask MathSource(string dataRoot, ulong seed) => new(
        "math",
        LoadMath(Path.Combine(dataRoot, "math", "train.jsonl")).Problems,
        LoadMath500(Path.Combine(dataRoot, "math500", "test.jsonl")).Problems,
        seed);

    /// <summary>GSM8K: train on its train split, hold out its test split; <paramref name="dataRoot"/> holds gsm8k/.</summary>
    public static DatasetTask Gsm8kSource(string dataRoot, ulong seed) => new(
        "gsm8k",
        LoadGsm8k(Path.Combine(dataRoot, "gsm8k", "train.jsonl")).Problems,
        LoadGsm8k(Path.Combine(dataRoot, "gsm8k", "test.jsonl")).Problems,
        seed);
}
