// The prompts of a test-kit run: the built-in task (gold answer 42) or a user's own task, as the fake policy sees them.
using System.Collections.Concurrent;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.TestKit;

/// <summary>
/// Training data for the fake policy. Every prompt's token ids start with a header [step, index] (held-out prompts:
/// step -1), so the fake sampler knows which step and prompt it samples (the faults are keyed by it) and can ask
/// <see cref="Answer"/> what a right or a wrong completion of that prompt says.
/// The built-in task (<see cref="BuiltIn"/>) has prompts "s{step}-p{i}" with gold answer 42 and answers \boxed{42}
/// (right) or \boxed{7} (wrong). <see cref="FakeData(ITrainingData, Func{PromptItem, bool, string})"/> wraps your own task: its
/// prompts (with the header added) go through the real coordinator, and your <c>answer</c> function writes the
/// completions your reward then grades.
/// </summary>
public sealed class FakeData : ITrainingData
{
    private readonly ITrainingData? _task;
    private readonly Func<PromptItem, bool, string>? _answer;
    private readonly ConcurrentDictionary<(int Step, int Index), PromptItem> _issued = new();

    /// <summary>The built-in task.</summary>
    public FakeData()
    {
    }

    /// <param name="task">Your task's data: train prompts per step, a held-out set.</param>
    /// <param name="answer">What the fake policy writes for a prompt when it is right (true) or wrong (false).</param>
    public FakeData(ITrainingData task, Func<PromptItem, bool, string> answer)
    {
        _task = task;
        _answer = answer;
    }

    /// <summary>The built-in task (one shared instance; it keeps no state).</summary>
    public static FakeData BuiltIn { get; } = new();

    public PromptItem[] TrainPrompts(long step, int count)
    {
        if (_task is null)
            return [.. Enumerable.Range(0, count).Select(i => new PromptItem(i, $"s{step}-p{i}", [(int)step, i, 0], "42", "\\boxed{42}"))];
        foreach (var old in _issued.Keys.Where(k => k.Step >= 0 && k.Step < step - 4)) _issued.TryRemove(old, out _);
        return Issue((int)step, _task.TrainPrompts(step, count));
    }

    public PromptItem[] HeldOut(int count) =>
        _task is null
            ? [.. Enumerable.Range(0, count).Select(i => new PromptItem(i, $"held-{i}", [-1, i, 0], "42", "\\boxed{42}"))]
            : Issue(-1, _task.HeldOut(count));

    public int[] EncodeCompletion(string text) => [FakeEngineFactory.VersionTokenBase, 0, 0];

    /// <summary>The completion the fake policy writes for a prompt (token ids as issued), right or wrong.</summary>
    public string Answer(int[] promptIds, bool right)
    {
        if (_answer is null) return right ? "\\boxed{42}" : "\\boxed{7}";
        if (!_issued.TryGetValue((promptIds[0], promptIds[1]), out var item))
            throw new InvalidOperationException($"the fake policy was asked about prompt {promptIds[1]} of step {promptIds[0]}, which this task never issued.");
        return _answer(item, right);
    }

    private PromptItem[] Issue(int step, PromptItem[] items)
    {
        var issued = new PromptItem[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            _issued[(step, i)] = items[i];
            issued[i] = items[i] with { PromptIds = [step, i, .. items[i].PromptIds] };
        }
        return issued;
    }
}
