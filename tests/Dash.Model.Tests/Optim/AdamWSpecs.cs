// Specifies the optimizer: bit-exact save/restore, schedule, clipping, and that training lowers the loss.
using Dash.Model.Learning;
using Dash.Model.Optim;
using Dash.Model.Parameters;
using Dash.Model.Transformer;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Optim;

public sealed class AdamWSpecs
{
    private static readonly LearningRateSchedule Schedule = new(1e-2, ScheduleKind.Linear, WarmupSteps: 1, TotalSteps: 20);

    [Fact]
    public void Should_continue_bit_exactly_after_save_and_restore()
    {
        string uninterrupted;
        using (var model = TinyModels.Create(seed: 3))
        using (var optimizer = new AdamW(model.named_parameters(), new AdamWOptions(WeightDecay: 0.01), Schedule))
        {
            for (var i = 0; i < 6; i++) TrainStep(model, optimizer);
            uninterrupted = new FlatParameters(model.parameters()).WeightsSha256();
        }

        float[] weights;
        byte[] state;
        using (var model = TinyModels.Create(seed: 3))
        using (var optimizer = new AdamW(model.named_parameters(), new AdamWOptions(WeightDecay: 0.01), Schedule))
        {
            for (var i = 0; i < 3; i++) TrainStep(model, optimizer);
            var flat = new FlatParameters(model.parameters());
            weights = new float[flat.Count];
            flat.CopyWeightsTo(weights);
            state = optimizer.SaveState();
        }

        using (var model = TinyModels.Create(seed: 99))
        using (var optimizer = new AdamW(model.named_parameters(), new AdamWOptions(WeightDecay: 0.01), Schedule))
        {
            var flat = new FlatParameters(model.parameters());
            flat.CopyWeightsFrom(weights);
            optimizer.LoadState(state);
            Assert.Equal(3, optimizer.StepCount);
            for (var i = 0; i < 3; i++) TrainStep(model, optimizer);
            Assert.Equal(uninterrupted, flat.WeightsSha256());
        }
    }

    [Fact]
    public void Should_save_its_state_to_a_file_and_reject_files_that_are_not_optimizer_state()
    {
        using var dir = new Dash.Model.Tests.Checkpoints.TempDirectory();
        using var model = TinyModels.Create(seed: 4);
        using var optimizer = new AdamW(model.named_parameters(), new AdamWOptions(), Schedule);
        TrainStep(model, optimizer);
        optimizer.Save(dir.File("optimizer.safetensors"));

        using var restored = new AdamW(model.named_parameters(), new AdamWOptions(), Schedule);
        restored.Load(dir.File("optimizer.safetensors"));
        Assert.Equal(1, restored.StepCount);
        Assert.Equal(Schedule.At(1), restored.NextLearningRate);

        Dash.Model.Checkpoints.ModelDirectory.Save(model, dir.Path);
        var e = Assert.Throws<Dash.Model.Checkpoints.SafetensorsException>(() => restored.Load(dir.File("model.safetensors")));
        Assert.Contains("not an AdamW state file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_lower_the_loss_and_change_every_trainable_parameter()
    {
        using var model = TinyModels.Create(seed: 5, qwen2: true, tied: false);
        using var optimizer = new AdamW(model.named_parameters(), new AdamWOptions(), new LearningRateSchedule(1e-2));
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        var first = TrainStep(model, optimizer);
        var last = first;
        for (var i = 0; i < 9; i++) last = TrainStep(model, optimizer);

        Assert.True(last < first * 0.8, $"loss went from {first} to {last}");
        foreach (var (name, p) in model.named_parameters())
        {
            using var same = p.detach().eq(before[name]).all();
            Assert.False(same.item<bool>(), $"{name} did not change");
        }
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void Should_clip_the_global_gradient_norm()
    {
        using var model = TinyModels.Create();
        using var optimizer = new AdamW(model.named_parameters(), new AdamWOptions(MaxGradNorm: 1e-3), new LearningRateSchedule(0));
        Backward(model);
        var step = optimizer.Step();
        Assert.True(step.GradNorm > 1e-3);
        using var scope = NewDisposeScope();
        var norm = stack(model.parameters().Select(p => p.grad!.norm()).ToList()).norm().item<float>();
        Assert.Equal(1e-3, norm, 6);
    }

    [Theory]
    [InlineData(ScheduleKind.Constant, 0, 0, 5, 1.0)]
    [InlineData(ScheduleKind.Linear, 0, 10, 0, 1.0)]
    [InlineData(ScheduleKind.Linear, 0, 10, 5, 0.5)]
    [InlineData(ScheduleKind.Linear, 2, 10, 1, 0.5)]
    [InlineData(ScheduleKind.Linear, 2, 10, 6, 0.5)]
    [InlineData(ScheduleKind.Linear, 0, 10, 12, 0.0)]
    public void Should_follow_the_schedule(ScheduleKind kind, int warmup, int total, int step, double factor)
    {
        var schedule = new LearningRateSchedule(2.0, kind, warmup, total);
        Assert.Equal(2.0 * factor, schedule.At(step), 10);
    }

    private static float TrainStep(CausalLM model, AdamW optimizer)
    {
        optimizer.ZeroGrad();
        var loss = Backward(model);
        optimizer.Step();
        return loss;
    }

    private static float Backward(CausalLM model)
    {
        using var scope = NewDisposeScope();
        var rows = TinyModels.Rows();
        using var batch = TokenBatch.Build(rows, padId: 0);
        var logp = CompletionLogProbs.Compute(model, batch);
        var loss = PolicyLoss.Aggregate(PolicyLoss.CrossEntropy(logp), batch.CompletionMask, LossAggregation.TokenMean, LossScale.For(rows));
        loss.backward();
        return loss.item<float>();
    }
}
