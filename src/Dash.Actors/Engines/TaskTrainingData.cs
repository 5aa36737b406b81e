// Serves a problem source (built-in arithmetic or a dataset) to the coordinator as tokenized prompts.
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Model.Tokenizers;
using Dash.Tasks;
using Dash.Tasks.Arithmetic;
using Dash.Tasks.Data;
using Dash.Tasks.Prompts;

namespace Dash.Actors.Engines;

/// <summary>
/// Step s trains on problems s·M … s·M + M − 1 of the source's deterministic stream, so the data cursor is the step
/// number itself. Prompts start with the tokenizer's BOS (when it has one); prompts longer than the limit keep their
/// last tokens.
/// </summary>
public sealed class TaskTrainingData(IProblemSource source, ITextTokenizer tokenizer, PromptTemplate template, int maxPromptTokens) : ITrainingData
{
    public IProblemSource Source => source;

    public PromptItem[] TrainPrompts(long step, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Item(source.Train(step * count + i), i))];

    public PromptItem[] HeldOut(int count) => [.. source.HeldOut.Take(count).Select(Item)];

    private readonly Lazy<Dictionary<string, string?>> _levels = new(() => source.HeldOut.ToDictionary(p => p.Id, p => p.Level, StringComparer.Ordinal));

    public string? LevelOf(string problemId) => _levels.Value.GetValueOrDefault(problemId);

    /// <summary>
    /// Most tokens of a reference completion (SFT's rows): what the model's positions leave after the longest prompt.
    /// A longer reference keeps its first tokens; uncut, its row ran past max_position_embeddings and the learner failed
    /// on every retry ("index out of range"), e.g. GSM8K solutions in the built-in model's characters.
    /// </summary>
    public int MaxCompletionTokens { get; init; } = int.MaxValue;

    public int[] EncodeCompletion(string text)
    {
        int[] ids = [.. tokenizer.Encode(text), tokenizer.EosIds[0]];
        return ids.Length > MaxCompletionTokens ? ids[..MaxCompletionTokens] : ids;
    }

    /// <summary>A warning when reference solutions of the first <paramref name="steps"/> steps' problems are longer than
    /// <see cref="MaxCompletionTokens"/> (SFT trains on their start only); null when none is.</summary>
    public string? CutReferencesWarning(int promptsPerStep, int steps)
    {
        if (MaxCompletionTokens == int.MaxValue) return null;
        var lengths = Enumerable.Range(0, Math.Max(0, steps) * promptsPerStep)
            .Select(i => tokenizer.Encode(source.Train(i).Solution ?? "").Length + 1).ToArray();
        var cut = lengths.Count(n => n > MaxCompletionTokens);
        return cut == 0 ? null
            : $"{cut} of {lengths.Length} reference solutions of the first {steps} steps are longer than the {MaxCompletionTokens} tokens the " +
              $"model's max_position_embeddings leaves after dash.task.max-prompt-tokens = {maxPromptTokens} (the longest {lengths.Max()}); " +
              "supervised training sees only their start.";
    }

    /// <summary>The token ids of a problem's prompt (the BOS, then at most max-prompt-tokens − 1 of the rendered prompt's
    /// last tokens).</summary>
    public int[] EncodePrompt(Problem problem)
    {
        var ids = tokenizer.Encode(template.Render(problem));
        if (ids.Length > KeptPromptTokens) ids = ids[^KeptPromptTokens..];
        return tokenizer.BosId is { } bos ? [bos, .. ids] : ids;
    }

    /// <summary>How many of a rendered prompt's tokens are kept (its last ones): max-prompt-tokens less the BOS.</summary>
    private int KeptPromptTokens => maxPromptTokens - 1;

    /// <summary>
    /// A warning when prompts among <paramref name="problems"/> are longer than dash.task.max-prompt-tokens, which cuts
    /// them to their last tokens (the start of the problem is lost); null when none is. <paramref name="what"/> names the
    /// set ("held-out problems").
    /// </summary>
    public string? CutPromptsWarning(IReadOnlyList<Problem> problems, string what)
    {
        var lengths = problems.Select(p => tokenizer.Encode(template.Render(p)).Length).ToArray();
        var cut = lengths.Count(n => n > KeptPromptTokens);
        return cut == 0 ? null
            : $"{cut} of {problems.Count} {what} have prompts longer than dash.task.max-prompt-tokens = {maxPromptTokens} allows (the longest " +
              $"{lengths.Max()} tokens); they are cut to their last {KeptPromptTokens} tokens, so the model does not see their start. " +
              "Raise dash.task.max-prompt-tokens to keep them whole.";
    }

    /// <summary><see cref="CutPromptsWarning"/> over the held-out set and the first training steps' prompts.</summary>
    public IEnumerable<string> CutPromptsWarnings(int heldOut, int promptsPerStep, int steps)
    {
        var train = Enumerable.Range(0, Math.Max(0, steps) * promptsPerStep).Select(i => source.Train(i)).ToArray();
        if (CutPromptsWarning(train, $"training problems of the first {steps} steps") is { } t) yield return t;
        if (CutPromptsWarning([.. source.HeldOut.Take(heldOut)], "held-out problems") is { } h) yield return h;
    }

    private PromptItem Item(Problem p, int groupId) => new(groupId, p.Id, EncodePrompt(p), p.GoldAnswer, p.Solution ?? "");

    /// <summary>The problem source a task setting names: arithmetic, math, math500, gsm8k, or a JSONL file.</summary>
    public static IProblemSource Load(TaskSettings task, long seed, int heldOut)
    {
        var name = task.Name.Trim();
        string File(params string[] parts)
        {
            var path = Path.Combine([task.DataDir, .. parts]);
            return System.IO.File.Exists(path) ? path
                : throw new SettingsException($"dash.task.name = {name} needs {path}; set dash.task.data-dir to the folder holding the datasets.");
        }
        switch (name.ToLowerInvariant())
        {
            case TaskInfo.DefaultTaskName:
                return new ArithmeticTask(Arithmetic(task, seed, heldOut));
            case "math":
                return new DatasetTask("math", Datasets.LoadMath(File("math", "train.jsonl")).Problems,
                    Datasets.LoadMath500(File("math500", "test.jsonl")).Problems, (ulong)seed);
            case "math500":
                var all = Datasets.LoadMath500(File("math500", "test.jsonl")).Problems;
                var (train, held) = Dash.Tasks.Sampling.Splits.TrainHeldOut(all, Math.Min(heldOut, all.Count / 2), (ulong)seed);
                return new DatasetTask("math500", train, held, (ulong)seed);
            case "gsm8k":
                return new DatasetTask("gsm8k", Datasets.LoadGsm8k(File("gsm8k", "train.jsonl")).Problems,
                    Datasets.LoadGsm8k(File("gsm8k", "test.jsonl")).Problems, (ulong)seed);
            default:
                if (!System.IO.File.Exists(name))
                    throw new SettingsException($"dash.task.name = \"{name}\" is neither a known task (arithmetic, math, math500, gsm8k) nor an existing JSONL file.");
                var rows = JsonlLoader.Load(name, new FieldMapping("question", "answer") { SolutionField = "solution" }).Problems;
                var (t, h) = Dash.Tasks.Sampling.Splits.TrainHeldOut(rows, Math.Min(heldOut, rows.Count / 5), (ulong)seed);
                return new DatasetTask(Path.GetFileNameWithoutExtension(name), t, h, (ulong)seed);
        }
    }

    /// <summary>The built-in task of a run: its seed and levels, and a held-out set of <paramref name="heldOut"/> problems.</summary>
    public static ArithmeticOptions Arithmetic(TaskSettings task, long seed, int heldOut) => new()
    {
        Seed = (ulong)seed,
        LevelMix = [.. task.Levels.Select(l => new LevelWeight(l, 1))],
        HeldOutCount = Math.Max(heldOut, 1),
        TerseFraction = task.TerseFraction,
        Reference = task.References == "human" ? ReferenceStyle.Human : ReferenceStyle.Warmup,
    };

    /// <summary>The prompt template a setting names; <c>chat</c> is the chat template of <paramref name="modelDir"/>.</summary>
    public static PromptTemplate Template(string name, IProblemSource source, string modelDir = "") => name switch
    {
        "qwen-chat" => new QwenChatPrompt(),
        "chat" => ModelChat(modelDir),
        "few-shot" => new FewShotPrompt([.. Enumerable.Range(0, 50).Select(i => source.Train(1_000_000_000L + i))], 3),
        _ => new RawPrompt(),
    };

    // The chat template of the model's tokenizer_config.json (or chat_template.jinja), refused in one line when unknown.
    private static ChatPrompt ModelChat(string modelDir)
    {
        if (modelDir.Length == 0)
            throw new SettingsException("dash.task.template = chat renders dash.model.dir's chat template, but the built-in model has none; use raw.");
        var path = Path.Combine(modelDir, "tokenizer_config.json");
        var source = File.Exists(path) ? path : $"{modelDir}: neither tokenizer_config.json nor {TokenizerConfigFile.JinjaFileName}";
        try
        {
            return new ChatPrompt(ChatTemplate.Recognise(TokenizerConfigFile.Load(path).ChatTemplate, source));
        }
        catch (FormatException e)
        {
            throw new SettingsException(e.Message);
        }
    }
}
