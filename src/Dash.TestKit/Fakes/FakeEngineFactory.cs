// A deterministic fake policy, learner and verifier: the real actor pipeline runs against them in test-kit simulations.
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Dash.Actors.Algorithm;
using Dash.Actors.Engines;
using Dash.Actors.Protocol;

namespace Dash.TestKit;

/// <summary>
/// The fake policy has one "skill" weight w: a completion is right with probability sigmoid(w) (greedy: right when
/// w &gt; 0). Weight slot 1 carries the policy version, so every completion records (as its first token) which weights
/// sampled it. What a right or wrong completion says comes from <see cref="Task"/>, and its reward from
/// <see cref="Scorer"/> (your own reward), so a user's task and reward run through the real pipeline unchanged.
/// Everything is a pure function of the shard's seed and the weights: the same run gives the same numbers.
/// </summary>
public sealed class FakeEngineFactory : IEngineFactory
{
    public const int VersionTokenBase = 1000;

    /// <summary>The prompts and what the fake policy answers to them (default: the built-in task, gold answer 42).</summary>
    public FakeData Task { get; init; } = FakeData.BuiltIn;

    /// <summary>Makes the reward scorer of every verifier worker (default: right when the completion holds \boxed{gold}).</summary>
    public Func<IRewardScorer>? Scorer { get; init; }

    /// <summary>Every row the learner accumulated: (problem id, completion index, policy version that sampled it, learner version).</summary>
    public ConcurrentQueue<(string ProblemId, int Sample, long SampledBy, long LearnerVersion)> Learned { get; } = new();

    public int OnPolicyViolations => Learned.Count(l => l.SampledBy != l.LearnerVersion && !PpoExpected);

    /// <summary>Rows the learner saw more than once within one policy version (a lost or duplicated shard shows here).</summary>
    public int LearnedTwice => Learned.GroupBy(l => (l.ProblemId, l.Sample, l.LearnerVersion)).Count(g => g.Count() > 1);

    /// <summary>PPO presets reuse a batch over several steps: violations are expected there.</summary>
    public bool PpoExpected { get; set; }

    /// <summary>(step, first prompt index of a shard) pairs on which a sampler throws once, mid-batch (it is restarted
    /// and hands its shard back).</summary>
    public ConcurrentDictionary<(long Step, int FirstPrompt), bool> CrashOnce { get; } = new();

    /// <summary>
    /// (step, first prompt index of a shard; -1: the first shard of the step to reach a sampler) pairs on which the
    /// sampler dies mid-batch for good, as a process that is killed: it hands nothing back, and the coordinator must
    /// notice that it stopped and re-issue its shard.
    /// </summary>
    public ConcurrentDictionary<(long Step, int FirstPrompt), bool> KillOnce { get; } = new();

    /// <summary>Samplers killed by <see cref="KillOnce"/>, by id.</summary>
    public ConcurrentQueue<int> Killed { get; } = new();

    /// <summary>When set, every Sample call waits on it (for back-pressure tests).</summary>
    public SemaphoreSlim? Gate { get; set; }

    public int SampleCalls;

    /// <summary>Sample calls that have started (before <see cref="Gate"/>): a sampler blocked on the gate counts here only.</summary>
    public int SampleEntered;

    /// <summary>Extra weight floats beyond the two that matter, so weight transfers span several chunks.</summary>
    public int ExtraWeights { get; set; }

    /// <summary>Hash of the weights the learner published, per version.</summary>
    public ConcurrentDictionary<long, string> LearnerHashes { get; } = new();

    /// <summary>(version, hash) of every weight vector a sampler of this factory loaded.</summary>
    public ConcurrentQueue<(long Version, string Sha256)> LoadedHashes { get; } = new();

    /// <summary>Hex SHA-256 of a weight vector's bytes (the same as the weight broadcast's).</summary>
    public static string Hash(ReadOnlySpan<float> weights) => Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(weights)));

    /// <summary>Optimizer step (learner version) at which the learner throws once.</summary>
    public long? LearnerFailsAtVersion { get; set; }
    public float LearningRate { get; set; } = 0.5f;

    /// <summary>When set, creating a learner throws this message (as a model that cannot load or a device that refuses).</summary>
    public string? LearnerCannotStart { get; set; }

    /// <summary>When set, every Sample call throws this message (as a device that refuses an op the sampler needs).</summary>
    public string? SamplingAlwaysFails { get; set; }

    /// <summary>When set, creating a sampler throws this message.</summary>
    public string? SamplerCannotStart { get; set; }

    public IPolicySampler CreateSampler(int samplerId) =>
        SamplerCannotStart is { } why ? throw new InvalidOperationException(why) : new FakeSampler(this, samplerId);
    public IPolicyLearner CreateLearner() =>
        LearnerCannotStart is { } why ? throw new InvalidOperationException(why) : new FakeLearner(this);
    public IRewardScorer CreateScorer() => Scorer?.Invoke() ?? new FakeScorer();

    /// <summary>Whether the sampler taking this shard must die now (consumes the fault).</summary>
    private bool ShouldKill(long step, int firstPrompt) =>
        step >= 0 && (KillOnce.TryRemove((step, firstPrompt), out _) || KillOnce.TryRemove((step, -1), out _));

    private sealed class FakeSampler(FakeEngineFactory owner, int id) : IPolicySampler
    {
        private float _skill;
        private long _version = -1;

        public IReadOnlyList<SampledCompletion> Sample(IReadOnlyList<int[]> prompts, int groupSize, bool greedy, ulong seed)
        {
            Interlocked.Increment(ref owner.SampleEntered);
            owner.Gate?.Wait();
            Interlocked.Increment(ref owner.SampleCalls);
            if (owner.SamplingAlwaysFails is { } why) throw new InvalidOperationException(why);
            var step = prompts[0][0];
            var kill = owner.ShouldKill(step, prompts[0][1]);
            var list = new List<SampledCompletion>();
            for (var p = 0; p < prompts.Count; p++)
            {
                for (var j = 0; j < groupSize; j++)
                {
                    if (p == prompts.Count / 2 && j == 0 && kill) Die();
                    if (p == prompts.Count / 2 && j == 0 && owner.CrashOnce.TryRemove((step, prompts[0][1]), out _))
                        throw new InvalidOperationException("injected sampler crash");
                    var u = (Seeds.Mix(seed ^ (ulong)(p * 131 + j)) >> 11) * (1.0 / (1UL << 53));
                    var right = greedy ? _skill > 0 : u < 1 / (1 + Math.Exp(-_skill));
                    list.Add(new SampledCompletion([VersionTokenBase + (int)_version, j, prompts[p][1]], [-0.5f, -0.5f, -0.5f],
                        FinishReason.Eos, owner.Task.Answer(prompts[p], right)));
                }
            }
            return list;
        }

        /// <summary>
        /// Stops the sampler's actor from inside its own message handler (what <c>Context.Stop(Self)</c> does: the stop
        /// is a system message, handled right after this failure), then fails the shard: the actor is not restarted
        /// and never hands the shard back, as a killed process would not.
        /// </summary>
        private void Die()
        {
            var cell = Akka.Actor.Internal.InternalCurrentActorCellKeeper.Current
                ?? throw new InvalidOperationException("KillOnce works only inside a sampler actor.");
            owner.Killed.Enqueue(id);
            cell.Stop(cell.Self);
            throw new InvalidOperationException($"injected: sampler {id} killed mid-shard");
        }

        public void LoadWeights(ReadOnlySpan<float> weights)
        {
            _skill = weights[0];
            _version = (long)weights[1];
            owner.LoadedHashes.Enqueue((_version, Hash(weights)));
        }

        public void Dispose() { }
    }

    private sealed class FakeLearner(FakeEngineFactory owner) : IPolicyLearner
    {
        private float _skill = -1;
        private double _grad;

        public int ParameterCount => 2 + owner.ExtraWeights;
        public long Version { get; private set; }

        public void CopyWeights(Span<float> destination)
        {
            destination[0] = _skill;
            destination[1] = Version;
            for (var i = 2; i < destination.Length; i++) destination[i] = MathF.Sin(i * 0.37f + _skill * 3 + Version);
            owner.LearnerHashes[Version] = Hash(destination);
        }

        public float[][] LogProbs(IReadOnlyList<Rollout> rows) => [.. rows.Select(r => new float[r.CompletionIds.Length])];

        public AccumulateStats Accumulate(IReadOnlyList<Rollout> rows, int normalizerRows, long normalizerTokens)
        {
            foreach (var r in rows)
            {
                owner.Learned.Enqueue((r.ProblemId, r.CompletionIds[1], r.CompletionIds[0] - VersionTokenBase, Version));
                // The old log-probs weigh the row (the learner's own are 0, the sampler's −0.5 a token), so a learner that
                // takes the wrong ones for the ratio ends elsewhere.
                _grad += r.Advantage * (r.Reward > 0 ? 1 : -1) * (1 + 0.1 * r.OldLogProbs.Sum()) / normalizerRows;
            }
            return new AccumulateStats(rows.Count, rows.Sum(r => r.CompletionIds.Length), -_grad, 0);
        }

        public OptimizerStats Step()
        {
            if (owner.LearnerFailsAtVersion == Version)
            {
                owner.LearnerFailsAtVersion = null;
                _skill = float.NaN; // half-updated state that must not survive
                throw new InvalidOperationException("injected learner failure");
            }
            _skill += owner.LearningRate * (float)_grad;
            var norm = Math.Abs(_grad);
            _grad = 0;
            Version++;
            return new OptimizerStats(norm, owner.LearningRate);
        }

        public void Save(string directory) =>
            File.WriteAllText(Path.Combine(directory, "learner.txt"), FormattableString.Invariant($"{BitConverter.SingleToInt32Bits(_skill)} {Version}"));

        public void Load(string directory)
        {
            var parts = File.ReadAllText(Path.Combine(directory, "learner.txt")).Split(' ');
            _skill = BitConverter.Int32BitsToSingle(int.Parse(parts[0], CultureInfo.InvariantCulture));
            Version = long.Parse(parts[1], CultureInfo.InvariantCulture);
        }

        public void Dispose() { }
    }

    private sealed class FakeScorer : IRewardScorer
    {
        public (float Reward, bool Correct) Score(string goldAnswer, string completion) =>
            completion.Contains($"\\boxed{{{goldAnswer}}}", StringComparison.Ordinal) ? (1f, true) : (0f, false);
    }
}
