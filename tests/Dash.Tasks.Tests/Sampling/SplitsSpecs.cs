// Specifications of the seeded PRNG, shuffles, train/held-out splits and the dataset training stream.
using Dash.Tasks.Data;
using Dash.Tasks.Sampling;

namespace Dash.Tasks.Tests.Sampling;

public class SplitsSpecs
{
    [Fact]
    public void Should_produce_the_reference_SplitMix64_sequence()
    {
        var rng = new SplitMix64(1234567);

        Assert.Equal(6457827717110365317ul, rng.NextUInt64());
        Assert.Equal(3203168211198807973ul, rng.NextUInt64());
    }

    [Fact]
    public void Should_shuffle_deterministically_by_seed_without_losing_items()
    {
        var items = Enumerable.Range(0, 1000).ToArray();

        var a = Splits.Shuffle(items, 7);
        var b = Splits.Shuffle(items, 7);
        var c = Splits.Shuffle(items, 8);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(items, a.Order());
    }

    [Fact]
    public void Should_split_into_disjoint_deterministic_parts()
    {
        var items = Enumerable.Range(0, 500).ToArray();

        var (train, heldOut) = Splits.TrainHeldOut(items, 0.1, seed: 3);
        var (train2, heldOut2) = Splits.TrainHeldOut(items, 0.1, seed: 3);

        Assert.Equal(50, heldOut.Length);
        Assert.Equal(450, train.Length);
        Assert.Empty(train.Intersect(heldOut));
        Assert.Equal(train, train2);
        Assert.Equal(heldOut, heldOut2);
    }

    [Fact]
    public void Should_stream_every_training_problem_once_per_epoch()
    {
        var problems = Enumerable.Range(0, 10).Select(i => new Problem($"p{i}", $"q{i}", $"{i}")).ToArray();
        var task = new DatasetTask("toy", problems, [], seed: 5);

        var epoch0 = Enumerable.Range(0, 10).Select(i => task.Train(i).Id).ToList();
        var epoch1 = Enumerable.Range(10, 10).Select(i => task.Train(i).Id).ToList();

        Assert.Equal(problems.Select(p => p.Id).Order(), epoch0.Order());
        Assert.Equal(problems.Select(p => p.Id).Order(), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.Equal(task.Train(3), new DatasetTask("toy", problems, [], seed: 5).Train(3));
    }
}
