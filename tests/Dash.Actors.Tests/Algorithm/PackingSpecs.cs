// Micro-batch packing: row and token limits (rows padded to the longest), input order kept, every row exactly once.
using Dash.Actors.Algorithm;

namespace Dash.Actors.Tests.Algorithm;

public sealed class PackingSpecs
{
    [Fact]
    public void Should_fill_micro_batches_up_to_the_row_limit_in_input_order()
    {
        var micro = Advantages.PackMicroBatches([5, 5, 5, 5, 5], maxRows: 2, maxTokens: 0);

        Assert.Equal([[0, 1], [2, 3], [4]], micro);
    }

    [Fact]
    public void Should_count_tokens_as_rows_times_the_longest_row()
    {
        // 10 + 10 fit 24; a third row of 4 would pad to 3 × 10 = 30.
        var micro = Advantages.PackMicroBatches([10, 10, 4, 4, 12, 12], maxRows: 8, maxTokens: 24);

        Assert.Equal([[0, 1], [2, 3], [4, 5]], micro);
    }

    [Fact]
    public void Should_start_a_new_micro_batch_when_a_longer_row_would_pad_the_others_past_the_limit()
    {
        var micro = Advantages.PackMicroBatches([4, 4, 4, 20], maxRows: 8, maxTokens: 30);

        Assert.Equal([[0, 1, 2], [3]], micro);
    }

    [Fact]
    public void Should_give_a_row_longer_than_the_token_limit_a_micro_batch_of_its_own()
    {
        var micro = Advantages.PackMicroBatches([3, 50, 3], maxRows: 4, maxTokens: 10);

        Assert.Equal([[0], [1], [2]], micro);
    }

    [Fact]
    public void Should_place_every_row_exactly_once()
    {
        var lengths = Enumerable.Range(0, 37).Select(i => 1 + (int)(Seeds.Mix((ulong)i) % 40)).ToArray();

        var micro = Advantages.PackMicroBatches(lengths, maxRows: 5, maxTokens: 64);

        Assert.Equal(Enumerable.Range(0, 37), micro.SelectMany(m => m));
        Assert.All(micro, m => Assert.True(m.Length <= 5 && (m.Length == 1 || m.Length * m.Max(i => lengths[i]) <= 64)));
    }

    [Fact]
    public void Should_pack_nothing_into_no_micro_batches() =>
        Assert.Empty(Advantages.PackMicroBatches([], maxRows: 4, maxTokens: 0));

    [Fact]
    public void Should_refuse_a_row_limit_below_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Advantages.PackMicroBatches([1], maxRows: 0, maxTokens: 0));
}
