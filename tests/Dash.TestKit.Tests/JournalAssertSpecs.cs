// The journal assertions fail on the journals they exist to catch: a step committed twice, a gap, a lost sample.
using System.Text.Json;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;

namespace Dash.TestKit.Tests;

public sealed class JournalAssertSpecs
{
    private static StepCommitted Commit(long step, int samples = 32, int duplicates = 0, int reissued = 0) =>
        new(step, step + 1, $"step-{step + 1:000000}", "", JsonSerializer.Serialize(new StepReport(step, step + 1, samples, 0.5, 0.5, samples, 0, 0,
            0, 0, 0, 0, 0, 0, 0, reissued, duplicates, 0, new Dictionary<string, double>())), DateTime.UnixEpoch);

    private static RunHistory History(params IRunEvent[] events) =>
        new([new RunStarted("r", "", "", 1, "0", DateTime.UnixEpoch), .. events], null);

    [Fact]
    public void Should_pass_a_journal_with_every_step_once_and_every_sample()
    {
        var h = History(Commit(0), Commit(1, reissued: 2), Commit(2), new RunFinished(3, DateTime.UnixEpoch));

        JournalAssert.NothingLostOrDuplicated(h, 3, 32);
        JournalAssert.Reissued(h, atLeast: 2, step: 1);
    }

    [Fact]
    public void Should_accept_a_step_committed_again_after_a_rollback()
    {
        var h = History(Commit(0), Commit(1), new RolledBack(0, "damaged checkpoint", DateTime.UnixEpoch), Commit(1), new RunFinished(2, DateTime.UnixEpoch));

        JournalAssert.NothingLostOrDuplicated(h, 2, 32);
    }

    [Fact]
    public void Should_fail_on_a_step_committed_twice()
    {
        var e = Assert.Throws<JournalAssertionException>(() => JournalAssert.EveryStepCommittedOnce(History(Commit(0), Commit(1), Commit(1)), 2));
        Assert.Contains("step 1 was committed twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_fail_on_a_missing_step()
    {
        var e = Assert.Throws<JournalAssertionException>(() => JournalAssert.EveryStepCommittedOnce(History(Commit(0), Commit(2)), 3));
        Assert.Contains("[0, 2]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(31, 0, "has 31 samples")]
    [InlineData(32, 1, "received 1 shard(s) twice")]
    public void Should_fail_on_a_lost_or_duplicated_sample(int samples, int duplicates, string expected)
    {
        var e = Assert.Throws<JournalAssertionException>(() => JournalAssert.SamplesPerStep(History(Commit(0), Commit(1, samples, duplicates)), 32));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_fail_when_no_shard_was_reissued_or_the_run_did_not_finish()
    {
        var h = History(Commit(0));
        Assert.Throws<JournalAssertionException>(() => JournalAssert.Reissued(h, atLeast: 1));
        Assert.Throws<JournalAssertionException>(() => JournalAssert.Finished(h));
    }
}
