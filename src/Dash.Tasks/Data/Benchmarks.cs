// The evaluation sets Dash knows by name, always whole: MATH-500, GSM8K test, MATH test, the built-in held-out set, JSONL files.
using Dash.Tasks.Arithmetic;

namespace Dash.Tasks.Data;

/// <summary>A set of problems to evaluate on and where it came from ("math500/test.jsonl, all 500 rows").</summary>
public sealed record EvalSet(string Name, IReadOnlyList<Problem> Problems, string Source)
{
    /// <summary>The first <paramref name="limit"/> problems in file order (0 = all), saying so in <see cref="Source"/>.</summary>
    public EvalSet Take(int limit) => limit <= 0 || limit >= Problems.Count
        ? this
        : new EvalSet(Name, [.. Problems.Take(limit)], $"{Source}; the first {limit} of {Problems.Count} (--limit {limit})");
}

/// <summary>Test sets are scored whole and never split; train/held-out splits belong to training data only.</summary>
public static class Benchmarks
{
    /// <summary>The JSONL fields of a user's file: question, answer, and optional solution, level and subject.</summary>
    public static FieldMapping JsonlFields { get; } = new("question", "answer") { SolutionField = "solution", LevelField = "level", SubjectField = "subject" };

    /// <summary>
    /// Loads the evaluation set <paramref name="data"/> names: math500 (500 rows), gsm8k (the 1,319 test rows), math (the
    /// 5,000 test rows) under <paramref name="dataDir"/>, arithmetic (the built-in task's held-out set of
    /// <paramref name="arithmetic"/>), or a JSONL file (every row). Errors name <paramref name="dataDirFlag"/>.
    /// </summary>
    public static EvalSet Load(string data, string dataDir, ArithmeticOptions arithmetic, string dataDirFlag = "--data-dir")
    {
        var name = data.Trim();
        string File(params string[] parts)
        {
            var path = Path.Combine([dataDir, .. parts]);
            return System.IO.File.Exists(path) ? path
                : throw new FileNotFoundException($"{name} needs {path}; pass {dataDirFlag} with the folder that holds {Path.Combine(parts)}.", path);
        }
        EvalSet Whole(string setName, string path, IReadOnlyList<Problem> problems) =>
            new(setName, problems, $"{path}, all {problems.Count} rows");
        switch (name.ToLowerInvariant())
        {
            case TaskInfo.DefaultTaskName:
                var heldOut = new ArithmeticTask(arithmetic).HeldOut;
                var levels = string.Join(",", arithmetic.LevelMix.Where(l => l.Weight > 0).Select(l => l.Level));
                return new EvalSet(name, heldOut, $"the built-in task's held-out set, all {heldOut.Count} problems (levels {levels}, seed {arithmetic.Seed})");
            case "math500":
                var math500 = File("math500", "test.jsonl");
                return Whole("math500", math500, Datasets.LoadMath500(math500).Problems);
            case "gsm8k":
                var gsm8k = File("gsm8k", "test.jsonl");
                return Whole("gsm8k", gsm8k, Datasets.LoadGsm8k(gsm8k).Problems);
            case "math":
                var math = File("math", "test.jsonl");
                return Whole("math", math, Datasets.LoadMath(math).Problems);
            default:
                if (!System.IO.File.Exists(name))
                    throw new FileNotFoundException($"--data \"{name}\" is neither a known set (math500, gsm8k, math, arithmetic) nor an existing JSONL file.", name);
                return Whole(Path.GetFileName(name), name, JsonlLoader.Load(name, JsonlFields).Problems);
        }
    }
}
