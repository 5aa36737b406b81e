// Where the coordinator's prompts come from: a deterministic train stream and a fixed held-out set.
using Dash.Actors.Protocol;

namespace Dash.Actors.Engines;

public interface ITrainingData
{
    /// <summary>The prompts of one optimizer step: a pure function of the step (GroupId = 0..count-1).</summary>
    PromptItem[] TrainPrompts(long step, int count);

    /// <summary>The first <paramref name="count"/> held-out prompts (the same on every call).</summary>
    PromptItem[] HeldOut(int count);

    /// <summary>Tokenizes a reference solution as a completion (ending with end-of-sequence), for SFT.</summary>
    int[] EncodeCompletion(string text);

    /// <summary>The difficulty level of a held-out problem ("Level 2"), or null when the source has none.</summary>
    string? LevelOf(string problemId) => null;
}
