// A user's own task: "How many seconds are in N minutes?", with a deterministic stream of problems per step.
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.Samples.MyTask;

/// <summary>
/// Training data as Dash asks for it: the prompts of step s are a pure function of s (so a resumed run sees the same
/// ones), and the held-out set is fixed. Prompts are tokenized one character per token (a real task uses its
/// model's tokenizer). The gold answer is the number of seconds; a reference solution reads "Answer: 180 s".
/// </summary>
public sealed class MinutesTask : ITrainingData
{
    /// <summary>The minutes of problem <paramref name="index"/> of step <paramref name="step"/> (held-out: step -1).</summary>
    public static int Minutes(long step, int index) => 1 + (int)((step * 7919 + index * 104729 + 13) % 240 + 240) % 240;

    public PromptItem[] TrainPrompts(long step, int count) => [.. Enumerable.Range(0, count).Select(i => Item(step, i, $"m{step}-{i}"))];

    public PromptItem[] HeldOut(int count) => [.. Enumerable.Range(0, count).Select(i => Item(-1, i, $"held-{i}"))];

    public int[] EncodeCompletion(string text) => Encode(text);

    /// <summary>The question of a problem, as the model sees it.</summary>
    public static string Question(int minutes) => $"How many seconds are in {minutes} minutes?";

    private static PromptItem Item(long step, int index, string id)
    {
        var minutes = Minutes(step, index);
        var seconds = (minutes * 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new PromptItem(index, id, Encode(Question(minutes)), seconds, $"Answer: {seconds} s");
    }

    private static int[] Encode(string text) => [.. text.Select(c => (int)c)];
}
