// Specifies the learner's maths: batch layout, log-probs, surrogate, KL, aggregation, and gradient accumulation.
using Dash.Model.Learning;
using Dash.Model.Parameters;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Learning;

public sealed class PolicyLossSpecs
{
    [Fact]
    public void Should_lay_out_prompts_left_padded_and_completions_from_one_column()
    {
        using var batch = TokenBatch.Build([new([1, 5], [7, 2]), new([1, 4, 6], [8])], padId: 0);

        Assert.Equal(3, batch.PromptLength);
        Assert.Equal(2, batch.CompletionLength);
        Assert.Equal(new long[] { 0, 1, 5, 7, 2, 1, 4, 6, 8, 0 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0, 1, 2, 3, 0, 1, 2, 3, 0 }, batch.PositionIds.data<long>().ToArray());
        Assert.Equal(new[] { false, true, true, true, true, true, true, true, true, false }, batch.AttentionMask.data<bool>().ToArray());
        Assert.Equal(new long[] { 7, 2, 8, 0 }, batch.Targets.data<long>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 0 }, batch.CompletionMask.data<float>().ToArray());
    }

    [Fact]
    public void Should_compute_log_probs_as_log_softmax_of_tempered_logits()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1, 2, 3, 0, 0, 0 }, [1, 2, 3]);
        var targets = tensor(new long[] { 2, 0 }, [1, 2]);

        var logp = CompletionLogProbs.FromLogits(logits, targets, temperature: 2f).data<float>().ToArray();

        var z = new[] { 0.5, 1.0, 1.5 };
        var lse = Math.Log(z.Sum(Math.Exp));
        Assert.Equal(1.5 - lse, logp[0], 5);
        Assert.Equal(-Math.Log(3), logp[1], 5);
        var entropy = CompletionLogProbs.Entropy(logits, 1f).data<float>().ToArray();
        Assert.Equal(Math.Log(3), entropy[1], 5);
    }

    [Fact]
    public void Should_match_the_hand_computed_clipped_surrogate()
    {
        using var scope = NewDisposeScope();
        var logp = tensor(new float[] { -1, -2, -1, -2 }, [2, 2]);
        var old = tensor(new float[] { -1.1f, -1.5f, -1.1f, -1.5f }, [2, 2]);
        var advantages = tensor(new float[] { 2, -1 });

        var loss = PolicyLoss.ClippedSurrogate(logp, old, advantages, epsilon: 0.2).data<float>().ToArray();

        var (r1, r2) = (Math.Exp(0.1), Math.Exp(-0.5));                 // 1.105 (inside the clip range), 0.607 (below it)
        Assert.Equal(-2 * r1, loss[0], 5);                            // A > 0: min(ρA, clip(ρ)A) = ρA
        Assert.Equal(-2 * r2, loss[1], 5);                            // A > 0, ρ < 1 − ε: min picks the unclipped ρA
        Assert.Equal(r1, loss[2], 5);                                 // A < 0: −min(−ρ, −ρ) = ρ
        Assert.Equal(0.8, loss[3], 5);                                // A < 0, ρ < 1 − ε: the clipped 0.8 is larger
    }

    [Fact]
    public void Should_match_the_hand_computed_k3_kl()
    {
        using var scope = NewDisposeScope();
        var kl = PolicyLoss.KlK3(tensor(new float[] { -1, -2 }), tensor(new float[] { -1.5f, -2 })).data<float>().ToArray();
        Assert.Equal(Math.Exp(-0.5) + 0.5 - 1, kl[0], 6);
        Assert.Equal(0, kl[1], 6);
    }

    [Theory]
    [InlineData(LossAggregation.TokenMean, 7.0 / 3)]
    [InlineData(LossAggregation.SequenceMean, (1.5 + 4.0) / 2)]
    [InlineData(LossAggregation.DrGrpo, 7.0 / 6)]
    public void Should_aggregate_per_token_losses(LossAggregation mode, double expected)
    {
        using var scope = NewDisposeScope();
        var perToken = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var mask = tensor(new float[] { 1, 1, 0, 1, 0, 0 }, [2, 3]);
        var loss = PolicyLoss.Aggregate(perToken, mask, mode, new LossScale(2, 3, 3)).item<float>();
        Assert.Equal(expected, loss, 5);
    }

    [Theory]
    [InlineData(LossAggregation.DrGrpo)]
    [InlineData(LossAggregation.TokenMean)]
    [InlineData(LossAggregation.SequenceMean)]
    public void Should_accumulate_micro_batch_gradients_to_the_full_batch_gradient(LossAggregation mode)
    {
        using var model = TinyModels.Create();
        var flat = new FlatParameters(model.parameters());
        var rows = TinyModels.Rows();
        var advantages = new float[] { 1.0f, -0.5f, 0.25f, -1.5f };
        var scale = LossScale.For(rows);

        Backward(model, rows, advantages, mode, scale);
        var full = new float[flat.Count];
        flat.CopyGradientsTo(full);

        ZeroGrad(model);
        for (var start = 0; start < rows.Length; start += 2)
            Backward(model, rows[start..(start + 2)], advantages[start..(start + 2)], mode, scale);
        var accumulated = new float[flat.Count];
        flat.CopyGradientsTo(accumulated);

        var worst = full.Zip(accumulated, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-5f, $"max |full − accumulated| = {worst}");
        Assert.True(full.Max(Math.Abs) > 1e-3f, "the gradient should not be trivially zero");
    }

    private static void Backward(Dash.Model.Transformer.CausalLM model, TokenRow[] rows, float[] advantages, LossAggregation mode, LossScale scale)
    {
        using var scope = NewDisposeScope();
        using var batch = TokenBatch.Build(rows, padId: 0);
        Tensor old;
        using (no_grad()) old = CompletionLogProbs.Compute(model, batch, temperature: 0.9f);
        var logp = CompletionLogProbs.Compute(model, batch, temperature: 0.9f);
        var reference = old - 0.1f;
        var loss = PolicyLoss.Grpo(logp, old, reference, tensor(advantages), batch.CompletionMask, mode, scale, epsilon: 0.2, beta: 0.04);
        loss.backward();
    }

    private static void ZeroGrad(Dash.Model.Transformer.CausalLM model)
    {
        using var scope = NewDisposeScope();
        foreach (var p in model.parameters()) p.grad?.zero_();
    }
}
