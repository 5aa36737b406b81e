// Specifies that SFT's reference completions fit the model's positions: a longer one keeps its start, and the start-up
// says how many were cut (uncut, the learner failed on every retry with "index out of range").
using Dash.Actors.Engines;
using Dash.Model.Tokenizers;
using Dash.Tasks;
using Dash.Tasks.Data;
using Dash.Tasks.Prompts;

namespace Dash.Actors.Tests.Engines;

public sealed class ReferenceCompletionSpecs
{
    private static readonly string Long = string.Concat(Enumerable.Repeat("12+34=46. ", 10));  // 100 characters

    private static TaskTrainingData Data(int maxCompletionTokens)
    {
        Problem[] train = [new("a", "1+1?", "2", "1+1=2."), new("b", "2+2?", "4", Long)];
        return new TaskTrainingData(new DatasetTask("tiny", train, [train[0]], 1), CharTokenizer.Default, new RawPrompt(), 16)
        {
            MaxCompletionTokens = maxCompletionTokens,
        };
    }

    [Fact]
    public void Should_keep_the_first_tokens_of_a_reference_longer_than_the_positions_left()
    {
        var tokenizer = CharTokenizer.Default;
        var data = Data(maxCompletionTokens: 40);

        Assert.Equal([.. tokenizer.Encode(Long).Take(40)], data.EncodeCompletion(Long));
        Assert.Equal([.. tokenizer.Encode("1+1=2."), tokenizer.EosIds[0]], data.EncodeCompletion("1+1=2."));
        Assert.Equal(101, Data(int.MaxValue).EncodeCompletion(Long).Length);
    }

    [Fact]
    public void Should_say_how_many_references_of_the_first_steps_are_cut()
    {
        var warning = Data(maxCompletionTokens: 40).CutReferencesWarning(promptsPerStep: 2, steps: 2);

        Assert.NotNull(warning);
        Assert.StartsWith("2 of 4 reference solutions of the first 2 steps are longer than the 40 tokens", warning, StringComparison.Ordinal);
        Assert.Contains("(the longest 101)", warning, StringComparison.Ordinal);
        Assert.Null(Data(maxCompletionTokens: 200).CutReferencesWarning(2, 2));
    }
}
