// Measures verifier throughput on MATH-500 gold solutions (one core, median of runs) and answer-pair agreement per source.
using System.Diagnostics;
using System.Text.Json;
using Dash.Tasks.Data;
using Dash.Tasks.Grading;

var data = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault() ?? FindData();
var verbose = args.Contains("--verbose");
var runs = int.TryParse(args.SkipWhile(a => a != "--runs").Skip(1).FirstOrDefault(), out var r) ? r : 7;
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a != data && a != runs.ToString()) ?? "all";

if (mode == "check")
{
    var rest = args.SkipWhile(a => a != "check").Skip(1).ToArray();
    var verdict = AnswerVerifier.Verify(rest[0], rest[1], VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(double.Parse(rest.ElementAtOrDefault(2) ?? "0.05")) });
    Console.WriteLine(verdict);
    return 0;
}
if (mode is "all" or "pairs") Pairs(Path.Combine(data, "grading", "answer_equivalence_pairs.jsonl"), verbose);
if (mode is "all" or "math500") Math500(Path.Combine(data, "math500", "test.jsonl"), verbose);
if (mode is "all" or "throughput") Throughput(Path.Combine(data, "math500", "test.jsonl"), runs);
return 0;

static void Pairs(string path, bool verbose)
{
    var bySource = new SortedDictionary<string, (int Agree, int Total)>();
    var falseEqual = 0;
    var negatives = 0;
    var lineNumber = 0;
    foreach (var line in File.ReadLines(path))
    {
        lineNumber++;
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var gold = root.GetProperty("gold").GetString()!;
        var predicted = root.GetProperty("predicted").GetString()!;
        var expected = root.GetProperty("expected_equal").GetBoolean();
        var source = root.GetProperty("source").GetProperty("repo").GetString()!;
        var options = OptionsFor(root);
        var verdict = AnswerVerifier.VerifyTexts(predicted, gold, options);
        var agree = verdict.Correct == expected;
        if (!expected) { negatives++; if (verdict.Correct) falseEqual++; }
        var (a, t) = bySource.GetValueOrDefault(source);
        bySource[source] = (a + (agree ? 1 : 0), t + 1);
        if (verbose && !agree)
            Console.WriteLine($"DISAGREE line {lineNumber} expected={expected} got={verdict.Correct}: {verdict.Reason} | extracted={Clip(verdict.Extracted)}");
    }
    var agreeAll = bySource.Values.Sum(v => v.Agree);
    var total = bySource.Values.Sum(v => v.Total);
    Console.WriteLine("| source | agree | total | agreement |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (source, (a, t)) in bySource) Console.WriteLine($"| {source} | {a} | {t} | {100.0 * a / t:0.0} % |");
    Console.WriteLine($"| all | {agreeAll} | {total} | {100.0 * agreeAll / total:0.0} % |");
    Console.WriteLine($"false \"equal\" verdicts: {falseEqual} of {negatives} pairs expected \"not equal\"");
}

// The pair's own grader settings: LaTeX-only extraction when the pair asks for match_types ["latex"]; Math-Verify's
// precision (an opt-in rounding tolerance) when the pair passes one.
static VerifierOptions OptionsFor(JsonElement root)
{
    var options = VerifierOptions.Default;
    if (!root.TryGetProperty("call_args", out var callArgs)) return options;
    if (callArgs.TryGetProperty("precision", out var precision)) options = options with { PredictionPrecision = precision.GetInt32() };
    if (callArgs.TryGetProperty("match_types", out var types) && !types.EnumerateArray().Any(t => t.GetString() == "expr"))
        options = options with { Extraction = ExtractionOptions.LatexOnly };
    return options;
}

static void Math500(string path, bool verbose)
{
    var problems = Datasets.LoadMath500(path).Problems;
    var options = VerifierOptions.Default with { Extraction = ExtractionOptions.BoxedOnly };
    var agree = 0;
    foreach (var p in problems)
    {
        var v = AnswerVerifier.Verify(p.Solution!, p.GoldAnswer, options);
        if (v.Correct) agree++;
        else if (verbose) Console.WriteLine($"MATH-500 {p.Id}: gold={p.GoldAnswer} | {v.Reason}");
    }
    Console.WriteLine($"MATH-500: last \\boxed{{}} of the solution judged equal to the answer in {agree} of {problems.Count} rows");
}

// Two workloads over MATH-500: each gold solution against its own answer (mostly a string match after extraction),
// and each gold solution against the next row's answer (nearly always wrong, so the full parse and compare runs).
static void Throughput(string path, int runs)
{
    if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()) Process.GetCurrentProcess().ProcessorAffinity = 1;
    var problems = Datasets.LoadMath500(path).Problems;
    var own = problems.Select(p => (p.Solution!, p.GoldAnswer)).ToList();
    var other = problems.Select((p, i) => (p.Solution!, problems[(i + 1) % problems.Count].GoldAnswer)).ToList();
    Measure("gold solution vs its own answer", own, runs);
    Measure("gold solution vs the next row's answer", other, runs);
}

static void Measure(string name, List<(string Completion, string Gold)> pairs, int runs)
{
    var options = VerifierOptions.Default;
    var exhausted = pairs.Count(p => AnswerVerifier.Verify(p.Completion, p.Gold, options).BudgetExhausted);
    var rates = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        var sw = Stopwatch.StartNew();
        var count = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(2) || count < pairs.Count)
        {
            foreach (var (completion, gold) in pairs) AnswerVerifier.Verify(completion, gold, options);
            count += pairs.Count;
        }
        rates.Add(count / sw.Elapsed.TotalSeconds);
    }
    rates.Sort();
    Console.WriteLine($"{name}: median {rates[runs / 2]:0} verifications/s over {runs} runs of >= 2 s on one core " +
        $"(min {rates[0]:0}, max {rates[^1]:0}); budget exhausted in {exhausted} of {pairs.Count} at warm-up");
}

static string Clip(string? s) => s is null ? "null" : (s.Length <= 100 ? s : s[..97] + "...").Replace("\n", "\\n");

static string FindData()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "shared", "data");
        if (Directory.Exists(candidate)) return candidate;
    }
    throw new DirectoryNotFoundException("shared/data not found; pass --data PATH");
}
