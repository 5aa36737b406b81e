// Packing rows as they arrive gives exactly the micro-batches of packing them all at once.
using Dash.Actors.Algorithm;
using Dash.Actors.Protocol;

namespace Dash.Actors.Tests.Algorithm;

public sealed class MicroBatchStreamSpecs
{
    private static Rollout Row(int id, int length) => new(id, $"p{id}", "1", [1], new int[length], [], FinishReason.Eos, "", 0, 0, []);

    [Theory]
    [InlineData(4, 0, 1)]
    [InlineData(4, 40, 2)]
    [InlineData(3, 25, 3)]
    [InlineData(16, 60, 4)]
    [InlineData(1, 0, 5)]
    public void Should_emit_the_same_micro_batches_as_packing_every_row_at_once(int maxRows, int maxTokens, int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, 60).Select(i => Row(i, random.Next(0, 30))).ToArray();
        var expected = Advantages.PackMicroBatches([.. rows.Select(r => r.PromptIds.Length + r.CompletionIds.Length)], maxRows, maxTokens);

        var stream = new MicroBatchStream(maxRows, maxTokens);
        var emitted = new List<int[]>();
        for (var at = 0; at < rows.Length;)
        {
            var chunk = rows[at..Math.Min(rows.Length, at + random.Next(1, 9))];
            at += chunk.Length;
            emitted.AddRange(stream.Add(chunk).Select(b => b.Select(r => r.GroupId).ToArray()));
        }
        if (stream.Flush() is { } last) emitted.Add([.. last.Select(r => r.GroupId)]);

        Assert.Equal(expected, emitted);
    }

    [Fact]
    public void Should_emit_a_micro_batch_as_soon_as_no_further_row_could_join_it()
    {
        var stream = new MicroBatchStream(maxRows: 2, maxTokens: 0);

        Assert.Empty(stream.Add([Row(0, 3)]));
        Assert.Single(stream.Add([Row(1, 3)])); // full at two rows: out before any third row arrives
        Assert.Null(stream.Flush());
    }
}
