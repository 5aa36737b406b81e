// One evaluator for training and `dash eval`: the same problem list, shards of the sampling batch size, the run's scorer.
using Dash.Actors.Algorithm;
using Dash.Actors.Protocol;
using Dash.Actors.Settings;
using Dash.Tasks;
using Dash.Tasks.Data;
using Dash.Tasks.Grading;

namespace Dash.Actors.Engines;

/// <summary>One evaluated problem: the greedy completion and its verdict, and how many of k samples were correct.</summary>
public sealed record EvalRow(Problem Problem, string Completion, Verdict Verdict, int SampledCorrect, int K);

/// <summary>
/// Greedy pass@1 (and sampled pass@k) of a policy on a problem list. In-training evaluation sends the same prompts,
/// in shards of <see cref="PromptsPerShard"/>, to sampler engines and grades them with the run's
/// <see cref="VerifierScorer"/>; this class does the same in one process, so <c>dash eval</c> of a run's checkpoint
/// with the run's settings reproduces the run's number exactly.
/// </summary>
public sealed class Evaluator(IPolicySampler sampler, VerifierScorer scorer, Func<Problem, int[]> encode, int batchSize)
{
    /// <summary>Prompts one sampler call takes: the sampling batch size in completions, whole groups of <paramref name="groupSize"/>.</summary>
    public static int PromptsPerShard(int batchSize, int groupSize) => Math.Max(1, batchSize / groupSize);

    /// <summary>The problems a run evaluates after its steps: the first dash.run.eval-problems of its task's held-out set.</summary>
    public static EvalSet RunSet(DashSettings settings, IProblemSource source)
    {
        var heldOut = source.HeldOut;
        var set = new EvalSet(source.Name, heldOut, $"the held-out set of task {settings.Task.Name}, {heldOut.Count} problems");
        if (settings.Run.EvalProblems >= heldOut.Count) return set;
        return new EvalSet(source.Name, [.. heldOut.Take(settings.Run.EvalProblems)],
            $"{set.Source}; the first {settings.Run.EvalProblems} (dash.run.eval-problems)");
    }

    /// <summary>Greedy pass@1 per level of (level, correct) pairs, ordered by level; pairs without a level are left out.</summary>
    public static IReadOnlyList<LevelScore> ByLevel(IEnumerable<(string? Level, bool Correct)> rows) =>
    [
        .. rows.Where(r => r.Level is not null).GroupBy(r => r.Level!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new LevelScore(g.Key, g.Count(), g.Count(r => r.Correct))),
    ];

    /// <summary>Sampled pass@k of evaluated rows: the fraction of problems with at least one correct sample.</summary>
    public static double PassAtK(IReadOnlyList<EvalRow> rows) => rows.Count == 0 ? 0 : (double)rows.Count(r => r.SampledCorrect > 0) / rows.Count;

    /// <summary>Evaluates every problem greedily and, when <paramref name="k"/> &gt; 0, with k samples each.</summary>
    public IReadOnlyList<EvalRow> Run(IReadOnlyList<Problem> problems, int k, long seed)
    {
        var prompts = problems.Select(encode).ToArray();
        var greedy = Sample(prompts, 1, greedy: true, seed);
        var sampled = k > 0 ? Sample(prompts, k, greedy: false, seed) : [];
        var rows = new EvalRow[problems.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var gold = problems[i].GoldAnswer;
            var correct = 0;
            for (var j = 0; j < k; j++)
                if (scorer.Judge(gold, sampled[i * k + j].Text).Correct) correct++;
            rows[i] = new EvalRow(problems[i], greedy[i].Text, scorer.Judge(gold, greedy[i].Text), correct, k);
        }
        return rows;
    }

    // Shard by shard, as the coordinator hands shards to samplers; shard s of a sampled pass is seeded like a run's.
    private List<SampledCompletion> Sample(int[][] prompts, int groupSize, bool greedy, long seed)
    {
        var perShard = PromptsPerShard(batchSize, groupSize);
        var results = new List<SampledCompletion>(prompts.Length * groupSize);
        for (int start = 0, shard = 0; start < prompts.Length; start += perShard, shard++)
            results.AddRange(sampler.Sample(prompts[start..Math.Min(prompts.Length, start + perShard)], groupSize, greedy, Seeds.Derive(seed, -1, 0, shard)));
        return results;
    }
}
