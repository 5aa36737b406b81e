// Assertions on a run's journal as it is stored: every step committed once, samples per step, re-issued shards.
using System.Text.Json;
using Dash.Actors.Persistence;
using Dash.Actors.Protocol;

namespace Dash.TestKit;

/// <summary>A journal assertion failed; the message says what the journal holds instead.</summary>
public sealed class JournalAssertionException(string message) : Exception(message);

/// <summary>
/// Checks a <see cref="RunHistory"/> (read from the journal's rows with <see cref="DashHarness.History"/> or
/// <see cref="RunFolder.History"/>). Each assertion throws <see cref="JournalAssertionException"/> naming what is
/// wrong, so it works under any test framework. A <see cref="RolledBack"/> event (a damaged checkpoint) legitimately
/// un-commits later steps; they must then be committed once more.
/// </summary>
public static class JournalAssert
{
    /// <summary>The steps committed, in journal order, with rollbacks applied; throws if a step was committed twice.</summary>
    public static IReadOnlyList<StepCommitted> Commits(RunHistory history)
    {
        var commits = new List<StepCommitted>();
        foreach (var e in history.Events)
        {
            switch (e)
            {
                case RolledBack r:
                    commits.RemoveAll(c => c.Step > r.Step);
                    break;
                case StepCommitted c when commits.Any(x => x.Step == c.Step):
                    throw new JournalAssertionException($"step {c.Step} was committed twice (journal steps: {Describe(history)}).");
                case StepCommitted c:
                    commits.Add(c);
                    break;
            }
        }
        return commits;
    }

    /// <summary>Steps 0 … <paramref name="steps"/>-1 are committed exactly once each, in order.</summary>
    public static void EveryStepCommittedOnce(RunHistory history, long steps)
    {
        var committed = Commits(history).Select(c => c.Step).ToArray();
        if (!committed.SequenceEqual(Enumerable.Range(0, (int)steps).Select(i => (long)i)))
            throw new JournalAssertionException($"expected steps 0..{steps - 1} committed once each, in order; the journal holds {Describe(history)}.");
    }

    /// <summary>The metrics of every committed step, as the coordinator journaled them.</summary>
    public static IReadOnlyList<StepReport> Reports(RunHistory history) =>
        [.. Commits(history).Select(c => JsonSerializer.Deserialize<StepReport>(c.ReportJson)
            ?? throw new JournalAssertionException($"step {c.Step}'s journaled report is empty."))];

    /// <summary>Every committed step learned from exactly <paramref name="expected"/> samples (none lost) and received no shard twice.</summary>
    public static void SamplesPerStep(RunHistory history, int expected)
    {
        foreach (var r in Reports(history))
        {
            if (r.Samples != expected)
                throw new JournalAssertionException($"step {r.Step} has {r.Samples} samples, expected {expected}.");
            if (r.DuplicateShards != 0)
                throw new JournalAssertionException($"step {r.Step} received {r.DuplicateShards} shard(s) twice.");
            if (r.Kept + r.Dropped != r.Samples)
                throw new JournalAssertionException($"step {r.Step}: {r.Kept} kept + {r.Dropped} dropped is not its {r.Samples} samples.");
        }
    }

    /// <summary>Shards re-issued (after a sampler failed or was lost), per committed step.</summary>
    public static IReadOnlyDictionary<long, int> ReissuedShards(RunHistory history) =>
        Reports(history).ToDictionary(r => r.Step, r => r.ReissuedShards);

    /// <summary>At least <paramref name="atLeast"/> shards of step <paramref name="step"/> (null: of the whole run) were re-issued.</summary>
    public static void Reissued(RunHistory history, int atLeast, long? step = null)
    {
        var reissued = ReissuedShards(history);
        var n = step is { } s ? reissued.GetValueOrDefault(s) : reissued.Values.Sum();
        if (n < atLeast)
            throw new JournalAssertionException($"{n} shard(s) re-issued {(step is { } k ? $"in step {k}" : "in the run")}, expected at least {atLeast}.");
    }

    /// <summary>
    /// Nothing lost, nothing duplicated: steps 0 … <paramref name="steps"/>-1 committed once each, each with every one
    /// of its <paramref name="samplesPerStep"/> samples and no shard received twice, and the run journaled as finished.
    /// </summary>
    public static void NothingLostOrDuplicated(RunHistory history, long steps, int samplesPerStep)
    {
        EveryStepCommittedOnce(history, steps);
        SamplesPerStep(history, samplesPerStep);
        Finished(history);
    }

    /// <summary>The run journaled its end.</summary>
    public static void Finished(RunHistory history)
    {
        if (!history.Events.OfType<RunFinished>().Any())
            throw new JournalAssertionException($"the journal holds no RunFinished (steps: {Describe(history)}).");
    }

    private static string Describe(RunHistory history)
    {
        var parts = history.Events.Select(e => e switch
        {
            StepCommitted c => c.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RolledBack r => $"rolled back to {r.Step}",
            _ => null,
        }).Where(p => p is not null).ToArray();
        return parts.Length == 0 ? "no committed step" : "[" + string.Join(", ", parts) + "]";
    }
}
