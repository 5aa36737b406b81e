// Specifications of the built-in arithmetic task: determinism, disjoint held-out set, verified solutions, short ASCII text.
using Dash.Tasks.Arithmetic;
using Dash.Tasks.Grading;
using Xunit.Abstractions;

namespace Dash.Tasks.Tests.Arithmetic;

public class ArithmeticTaskSpecs(ITestOutputHelper output)
{
    [Fact]
    public void Should_give_the_same_problem_for_the_same_seed_and_index()
    {
        var a = new ArithmeticTask(new ArithmeticOptions { Seed = 42 });
        var b = new ArithmeticTask(new ArithmeticOptions { Seed = 42 });
        var c = new ArithmeticTask(new ArithmeticOptions { Seed = 43 });

        Assert.Equal(a.Train(12345), b.Train(12345));
        Assert.Equal(a.HeldOut, b.HeldOut);
        Assert.NotEqual(Enumerable.Range(0, 20).Select(i => a.Train(i).Question), Enumerable.Range(0, 20).Select(i => c.Train(i).Question));
    }

    [Fact]
    public void Should_keep_the_held_out_set_disjoint_from_the_first_100000_training_problems()
    {
        var task = new ArithmeticTask();
        var heldOut = task.HeldOut.Select(p => p.Question).ToHashSet(StringComparer.Ordinal);

        var overlap = Enumerable.Range(0, 100_000).Count(i => heldOut.Contains(task.Train(i).Question));

        Assert.Equal(500, task.HeldOut.Count);
        Assert.Equal(500, heldOut.Count);
        Assert.Equal(0, overlap);
    }

    [Fact]
    public void Should_verify_every_generated_solution_and_keep_texts_short_and_ascii()
    {
        var task = new ArithmeticTask();
        var problems = Enumerable.Range(0, 3000).Select(i => task.Train(i)).Concat(task.HeldOut).ToList();
        var options = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2), Extraction = ExtractionOptions.BoxedOnly };

        var wrong = problems.Where(p => !AnswerVerifier.Verify(p.Solution!, p.GoldAnswer, options).Correct).ToList();

        output.WriteLine($"longest question {problems.Max(p => p.Question.Length)}, longest solution {problems.Max(p => p.Solution!.Length)}");
        foreach (var level in problems.GroupBy(p => p.Level).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"{level.Key}: {level.Count()} problems, e.g. {level.First().Question} -> {level.First().Solution}");
        Assert.Empty(wrong);
        Assert.All(problems, p => Assert.True(p.Question.Length <= 40, p.Question));
        Assert.All(problems, p => Assert.True(p.Solution!.Length <= 60, p.Solution));
        Assert.All(problems, p => Assert.True((p.Question + p.Solution).All(ch => ch is >= ' ' and <= '~'), p.Question + p.Solution));
        Assert.All(problems, p => Assert.EndsWith($"\\boxed{{{p.GoldAnswer}}}", p.Solution!, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_follow_the_configured_level_mix()
    {
        var task = new ArithmeticTask(new ArithmeticOptions { LevelMix = [new LevelWeight(1, 3), new LevelWeight(6, 1)] });

        var levels = Enumerable.Range(0, 4000).Select(i => task.Train(i).Level).ToList();

        Assert.All(levels, l => Assert.Contains(l, new[] { "Level 1", "Level 6" }));
        Assert.InRange(levels.Count(l => l == "Level 1"), 2800, 3200);
        var easy = new ArithmeticTask(new ArithmeticOptions { LevelMix = [new LevelWeight(1, 1)] });
        Assert.All(Enumerable.Range(0, 200).Select(i => easy.Train(i).Question), q => Assert.Matches(@"^\D*[1-9]\+[1-9]\D*$", q));
    }

    [Fact]
    public void Should_reject_an_invalid_level_mix_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => new ArithmeticTask(new ArithmeticOptions { LevelMix = [new LevelWeight(9, 1)] }));

        Assert.Contains("LevelMix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_generate_every_held_out_problem_it_can_when_asked_for_more_than_exist()
    {
        var levels = new[] { new LevelWeight(1, 1), new LevelWeight(2, 1) };
        var some = new ArithmeticTask(new ArithmeticOptions { LevelMix = levels, HeldOutCount = 200 }).HeldOut;

        var all = new ArithmeticTask(new ArithmeticOptions { LevelMix = levels, HeldOutCount = int.MaxValue }).HeldOut;

        output.WriteLine($"levels 1-2: {all.Count} distinct held-out problems");
        Assert.True(all.Count > 1000, $"only {all.Count} held-out problems");
        Assert.Equal(some, all.Take(200));
    }

    [Fact]
    public void Should_stratify_the_held_out_set_by_level_in_every_prefix()
    {
        var task = new ArithmeticTask(new ArithmeticOptions { LevelMix = [new LevelWeight(2, 1), new LevelWeight(3, 1)], HeldOutCount = 600 });

        Assert.Equal(600, task.HeldOut.Count);
        foreach (var n in new[] { 2, 101, 600 })
        {
            var counts = task.HeldOut.Take(n).GroupBy(p => p.Level).ToDictionary(g => g.Key!, g => g.Count());
            Assert.InRange(counts["Level 2"] - counts["Level 3"], 0, 1);
        }
    }

    [Fact]
    public void Should_fill_the_share_of_a_small_level_of_the_held_out_set_from_the_other_levels()
    {
        var task = new ArithmeticTask(new ArithmeticOptions { LevelMix = [new LevelWeight(1, 1), new LevelWeight(2, 1)], HeldOutCount = 500 });

        var ones = task.HeldOut.Count(p => p.Level == "Level 1");

        output.WriteLine($"level 1: {ones} of {task.HeldOut.Count}");
        Assert.Equal(500, task.HeldOut.Count);
        Assert.InRange(ones, 10, 40);
    }

    [Fact]
    public void Should_give_terse_warm_up_references_in_the_terse_fraction_and_worked_ones_otherwise()
    {
        var task = new ArithmeticTask(new ArithmeticOptions { LevelMix = [new LevelWeight(2, 1), new LevelWeight(3, 1)], TerseFraction = 0.7 });

        var solutions = Enumerable.Range(0, 4000).Select(i => task.Train(i).Solution!).ToList();
        var worked = solutions.Count(s => s.StartsWith("Ones: ", StringComparison.Ordinal));

        Assert.InRange(worked, 1100, 1300);
        Assert.All(solutions.Where(s => !s.StartsWith("Ones: ", StringComparison.Ordinal)), s => Assert.Matches(@"^\d+[-+]\d+=\d+\. \\boxed\{\d+\}$", s));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => task.Train(i).Question),
            Enumerable.Range(0, 200).Select(i => new ArithmeticTask(new ArithmeticOptions { LevelMix = [new LevelWeight(2, 1), new LevelWeight(3, 1)] }).Train(i).Question));
    }

    [Fact]
    public void Should_write_human_references_in_another_style_that_verifies()
    {
        var levels = new[] { new LevelWeight(2, 1), new LevelWeight(3, 1) };
        var warm = new ArithmeticTask(new ArithmeticOptions { LevelMix = levels });
        var human = new ArithmeticTask(new ArithmeticOptions { LevelMix = levels, Reference = ReferenceStyle.Human });
        var options = VerifierOptions.Default with { TimeBudget = TimeSpan.FromSeconds(2), Extraction = ExtractionOptions.BoxedOnly };

        var pairs = Enumerable.Range(0, 2000).Select(i => (Warm: warm.Train(i), Human: human.Train(i))).ToList();

        output.WriteLine($"{pairs[0].Warm.Question}: {pairs[0].Warm.Solution} | {pairs[0].Human.Solution}");
        Assert.All(pairs, p => Assert.Equal(p.Warm.Question, p.Human.Question));
        Assert.All(pairs, p => Assert.NotEqual(p.Warm.Solution, p.Human.Solution));
        Assert.All(pairs, p => Assert.True(AnswerVerifier.Verify(p.Human.Solution!, p.Human.GoldAnswer, options).Correct, p.Human.Solution));
        Assert.All(pairs, p => Assert.True(p.Human.Solution!.Length <= 48, p.Human.Solution));
    }
}
