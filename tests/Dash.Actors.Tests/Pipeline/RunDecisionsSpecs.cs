// The coordinator's durable decisions as pure functions of the journaled state: start, resume, roll back, commit, retain, evaluate.
using Dash.Actors.Persistence;
using Dash.Actors.Pipeline;
using Dash.Actors.Settings;
using Dash.TestKit;

namespace Dash.Actors.Tests.Pipeline;

public sealed class RunDecisionsSpecs
{
    private static readonly DateTime Now = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string Config = RunHarness.Settings("run.steps=10").Text;
    private static readonly RunContext Run = new("r", Config, null);

    private static RunState Started() => RunState.Empty.Apply(new RunStarted("r", Config, Run.ConfigHash, 1, "0", Now));

    private static RunState Committed(RunState state, params long[] steps) => steps.Aggregate(state, (s, step) =>
        s.Apply(new StepCommitted(step, step + 1, CheckpointStore.NameOf(step + 1), $"sha{step}", "{}", Now)));

    private static RunState Evaluated(RunState state, long step, int correct) => state.Apply(new EvalRecorded(step, step, 100, correct, "{}"));

    private static StartDecision Start(RunState state, params long[] damaged) =>
        RunDecisions.Start(state, Run, 1, Now, s => damaged.Contains(s.Step) ? $"{s.Checkpoint} is corrupted" : null, name => "/ckpt/" + name);

    [Fact]
    public void Should_journal_the_run_start_with_its_configuration_for_a_fresh_run()
    {
        var start = Start(RunState.Empty);

        var started = Assert.IsType<RunStarted>(start.Journal);
        Assert.Equal((Config, Run.ConfigHash, 1L), (started.ConfigText, started.ConfigHash, started.Seed));
        Assert.Null(start.ResumeFrom);
    }

    [Fact]
    public void Should_refuse_to_continue_a_run_whose_configuration_changed_naming_the_key_and_journal_nothing()
    {
        var changed = new RunContext("r", RunHarness.Settings("run.steps=10", "sampling.temperature=0.5").Text, null);

        var start = RunDecisions.Start(Committed(Started(), 0), changed, 1, Now, _ => null, n => n);

        Assert.Contains("changed keys: dash.sampling.temperature", start.Refusal, StringComparison.Ordinal);
        Assert.Null(start.Journal);
    }

    [Fact]
    public void Should_resume_from_the_newest_committed_checkpoint_when_it_verifies()
    {
        var start = Start(Committed(Started(), 0, 1, 2));

        Assert.Equal(("/ckpt/step-000003", null, null), (start.ResumeFrom, start.Journal, start.Warning));
    }

    [Fact]
    public void Should_resume_a_lagged_run_with_the_samplers_on_the_checkpoint_before_the_last()
    {
        var lagged = RunDecisions.Start(Committed(Started(), 0, 1, 2), Run, 1, Now, _ => null, name => "/ckpt/" + name, lag: 1);
        var first = RunDecisions.Start(Committed(Started(), 0), Run, 1, Now, _ => null, name => "/ckpt/" + name, lag: 1);

        Assert.Equal(("/ckpt/step-000003", "/ckpt/step-000002"), (lagged.ResumeFrom, lagged.BehaviourFrom));
        Assert.Equal(("/ckpt/step-000001", null), (first.ResumeFrom, first.BehaviourFrom)); // Step 1 samples with the initial weights.
        Assert.Null(Start(Committed(Started(), 0, 1, 2)).BehaviourFrom);
    }

    [Fact]
    public void Should_roll_a_lagged_run_back_when_the_checkpoint_before_the_last_is_damaged()
    {
        var start = RunDecisions.Start(Committed(Started(), 0, 1, 2), Run, 1, Now, s => s.Step == 1 ? "step-000002 is corrupted" : null,
            name => "/ckpt/" + name, lag: 1);

        var back = Assert.IsType<RolledBack>(start.Journal);
        Assert.Equal((0L, "/ckpt/step-000001", null), (back.Step, start.ResumeFrom, start.BehaviourFrom));
        Assert.StartsWith("step-000003 cannot be resumed with max-policy-lag = 1: step-000002 is corrupted; step-000002 is corrupted.", start.Warning,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Should_roll_back_past_damaged_checkpoints_to_the_newest_that_verifies_and_say_why()
    {
        var start = Start(Committed(Started(), 0, 1, 2), damaged: [2, 1]);

        var back = Assert.IsType<RolledBack>(start.Journal);
        Assert.Equal((0L, "/ckpt/step-000001"), (back.Step, start.ResumeFrom));
        Assert.Equal("step-000003 is corrupted; step-000002 is corrupted. Falling back to the checkpoint after step 1 (step-000001); later steps run again.", start.Warning);
        Assert.Equal(1, Started().Apply(new StepCommitted(0, 1, "step-000001", "s", "{}", Now)).Apply(back).NextStep);
    }

    [Fact]
    public void Should_start_again_from_step_zero_when_no_checkpoint_verifies()
    {
        var start = Start(Committed(Started(), 0, 1), damaged: [0, 1]);

        var back = Assert.IsType<RolledBack>(start.Journal);
        Assert.Equal(-1, back.Step);
        Assert.Null(start.ResumeFrom);
        Assert.Equal(0, Committed(Started(), 0, 1).Apply(back).NextStep);
        Assert.EndsWith("No usable checkpoint is left: the run starts again from step 0.", start.Warning, StringComparison.Ordinal);
    }

    /// <summary>Steps committed with a checkpoint only where <paramref name="saved"/> says (dash.coordinator.checkpoint-every).</summary>
    private static RunState CommittedSaving(RunState state, long steps, params long[] saved) => Enumerable.Range(0, (int)steps).Aggregate(state, (s, step) =>
        s.Apply(new StepCommitted(step, step + 1, saved.Contains(step) ? CheckpointStore.NameOf(step + 1) : "", saved.Contains(step) ? $"sha{step}" : "", "{}", Now)));

    [Fact]
    public void Should_checkpoint_every_n_steps_after_the_last_step_and_before_every_evaluation()
    {
        var run = new RunSettings(1, Steps: 10, "runs", "r", EvalEvery: 4, EvalProblems: 50);
        long[] Saved(RunSettings r, int every, int lag = 0) => [.. Enumerable.Range(0, 10).Select(i => (long)i).Where(s => RunDecisions.CheckpointDue(s, r, every, lag))];

        Assert.Equal([2L, 3, 5, 7, 8, 9], Saved(run, every: 3)); // 3, 6, 9 steps done; evaluated after 4 and 8; the end
        Assert.Equal([2L, 5, 8, 9], Saved(run with { EvalProblems = 0 }, every: 3));
        Assert.Equal([9L], Saved(run with { EvalEvery = 0 }, every: 50));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Saved(run, every: 1));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Saved(run, every: 3, lag: 1)); // a lagged resume needs the two newest
    }

    [Fact]
    public void Should_resume_a_run_committed_past_its_newest_checkpoint_from_that_checkpoint_and_say_the_steps_run_again()
    {
        var state = CommittedSaving(Started(), 5, saved: [0, 2]);

        var start = Start(state);

        var back = Assert.IsType<RolledBack>(start.Journal);
        Assert.Equal((2L, "/ckpt/step-000003"), (back.Step, start.ResumeFrom));
        Assert.Equal("the last 2 steps were committed without a checkpoint (dash.coordinator.checkpoint-every). " +
                     "Falling back to the checkpoint after step 3 (step-000003); later steps run again.", start.Warning);
        Assert.Equal(3, state.Apply(back).NextStep);
        Assert.Equal("step-000003", state.LastCheckpoint!.Checkpoint);
    }

    [Fact]
    public void Should_resume_past_a_damaged_checkpoint_and_unsaved_steps_to_the_newest_checkpoint_that_verifies()
    {
        var start = Start(CommittedSaving(Started(), 5, saved: [0, 2, 3]), damaged: [3]);

        var back = Assert.IsType<RolledBack>(start.Journal);
        Assert.Equal((2L, "/ckpt/step-000003"), (back.Step, start.ResumeFrom));
        Assert.StartsWith("the last step was committed without a checkpoint (dash.coordinator.checkpoint-every); step-000004 is corrupted.", start.Warning,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Should_start_again_from_step_zero_when_no_step_was_saved_yet()
    {
        var state = CommittedSaving(Started(), 3);

        var start = Start(state);

        var back = Assert.IsType<RolledBack>(start.Journal);
        Assert.Equal((-1L, null), (back.Step, start.ResumeFrom));
        Assert.Equal(0, state.Apply(back).NextStep);
        Assert.EndsWith("No usable checkpoint is left: the run starts again from step 0.", start.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_keep_the_last_saved_checkpoints_and_never_name_an_unsaved_step_the_best()
    {
        // Step 2 (evaluated after 3 steps) is unsaved, as when eval-every changed on resume; step 1 is saved and evaluated lower.
        var state = Evaluated(Evaluated(CommittedSaving(Started(), 6, saved: [0, 1, 3, 5]), 2, correct: 50), 3, correct: 90);

        Assert.Equal(["step-000002", "step-000004", "step-000006"], RunDecisions.Retained(state, keepLast: 2).Order());
        Assert.Equal("step-000002", state.Best!.Checkpoint);
    }

    [Fact]
    public void Should_keep_the_last_checkpoints_and_the_best_evaluated_one()
    {
        var state = Evaluated(Evaluated(Committed(Started(), 0, 1, 2, 3, 4), 2, correct: 90), 5, correct: 40);

        Assert.Equal(["step-000002", "step-000004", "step-000005"], RunDecisions.Retained(state, keepLast: 2).Order());
        Assert.Equal(["step-000002", "step-000005"], RunDecisions.Retained(state, keepLast: 0).Order()); // at least one
    }

    [Fact]
    public void Should_evaluate_before_training_every_eval_every_steps_and_at_the_end_unless_evaluation_is_off()
    {
        var run = new RunSettings(1, Steps: 10, "runs", "r", EvalEvery: 4, EvalProblems: 50);

        Assert.Equal([0L, 4, 8, 10], Enumerable.Range(0, 11).Select(i => (long)i).Where(s => RunDecisions.EvalDue(s, run)));
        Assert.DoesNotContain(true, Enumerable.Range(0, 11).Select(s => RunDecisions.EvalDue(s, run with { EvalProblems = 0 })));
        Assert.Equal([0L, 10], Enumerable.Range(0, 11).Select(i => (long)i).Where(s => RunDecisions.EvalDue(s, run with { EvalEvery = 0 })));
    }

    [Fact]
    public void Should_owe_the_evaluation_of_a_step_committed_just_before_a_crash()
    {
        var run = new RunSettings(1, Steps: 10, "runs", "r", EvalEvery: 2, EvalProblems: 50);
        var state = Committed(Started(), 0, 1);

        Assert.True(RunDecisions.EvalOwed(state, 2, run));
        Assert.False(RunDecisions.EvalOwed(Evaluated(state, 2, 10), 2, run));
        Assert.False(RunDecisions.EvalOwed(Committed(state, 2), 3, run));
    }

    [Fact]
    public void Should_journal_the_end_of_a_run_once()
    {
        Assert.Equal(10, RunDecisions.Finish(Started(), 10, Now)!.Steps);
        Assert.Null(RunDecisions.Finish(Started().Apply(new RunFinished(10, Now)), 10, Now));
    }

    [Fact]
    public void Should_snapshot_every_n_events_and_never_when_off()
    {
        Assert.Equal([50L, 100], new long[] { 1, 49, 50, 99, 100 }.Where(n => RunDecisions.SnapshotDue(n, 50)));
        Assert.DoesNotContain(true, new long[] { 0, 50, 100 }.Select(n => RunDecisions.SnapshotDue(n, 0)));
    }
}
