// Finds runs of identical prompts (the G completions of one prompt), so each distinct prompt is prefilled once.
namespace Dash.Model.Sampling;

/// <summary>
/// The distinct prompts of a batch, taken from runs of consecutive equal prompts (the engines send each prompt G times
/// in a row), and for every batch row the index of its distinct prompt.
/// </summary>
internal sealed record PromptGroups(IReadOnlyList<int[]> Distinct, long[] RowOf)
{
    /// <summary>True when some prompt occurs more than once in a row (the prefill is shared).</summary>
    public bool Shared => Distinct.Count < RowOf.Length;

    /// <summary>Every row its own prompt (no sharing).</summary>
    public static PromptGroups Unshared(IReadOnlyList<int[]> prompts) => new(prompts, [.. Enumerable.Range(0, prompts.Count).Select(i => (long)i)]);

    public static PromptGroups Of(IReadOnlyList<int[]> prompts)
    {
        var distinct = new List<int[]>();
        var rowOf = new long[prompts.Count];
        for (var i = 0; i < prompts.Count; i++)
        {
            var same = i > 0 && (ReferenceEquals(prompts[i], prompts[i - 1]) || prompts[i].AsSpan().SequenceEqual(prompts[i - 1]));
            if (!same) distinct.Add(prompts[i]);
            rowOf[i] = distinct.Count - 1;
        }
        return new PromptGroups(distinct, rowOf);
    }
}
