// The memory check before a run: estimates per part and per device against injected free memory, one-line refusals.
using Dash.Actors.Engines.Torch;
using Dash.Actors.Settings;
using Dash.Model.Config;

namespace Dash.Actors.Tests.Engines;

public sealed class MemoryCheckSpecs
{
    private const long GiB = 1L << 30;

    /// <summary>Qwen2.5-0.5B's published architecture (0.49B parameters, tied embeddings, q/k/v biases).</summary>
    private static readonly ModelConfig Qwen05B = ModelConfig.QwenHalfBillion();

    private static DashSettings Settings(params string[] sets) => ConfigLoader.Load(sets: sets).Settings;

    private static long Part(IReadOnlyList<MemoryPart> parts, string name) => parts.Single(p => p.Name == name).Bytes;

    [Fact]
    public void Should_count_the_parameters_of_qwen2_5_0_5b()
    {
        Assert.Equal(494_032_768, MemoryEstimate.Parameters(Qwen05B));
    }

    [Fact]
    public void Should_size_adamw_as_two_float32_moments_and_keep_float32_master_weights_in_bfloat16()
    {
        var p = MemoryEstimate.Parameters(Qwen05B);

        var fp32 = MemoryEstimate.Learner(Qwen05B, bfloat16: false, microBatch: 4, promptTokens: 96, newTokens: 512);
        var bf16 = MemoryEstimate.Learner(Qwen05B, bfloat16: true, microBatch: 4, promptTokens: 96, newTokens: 512);

        Assert.Equal((4 * p, 4 * p, 8 * p), (Part(fp32, "master weights"), Part(fp32, "gradients"), Part(fp32, "AdamW state")));
        Assert.Equal((6 * p, 6 * p, 8 * p), (Part(bf16, "master weights"), Part(bf16, "gradients"), Part(bf16, "AdamW state")));
        Assert.True(Part(bf16, "activations") < Part(fp32, "activations"));
    }

    [Fact]
    public void Should_size_the_kv_cache_by_batch_and_prompt_plus_completion_length()
    {
        var kv = Part(MemoryEstimate.Sampler(Qwen05B, b: 2, batch: 256, promptTokens: 96, newTokens: 2048), "KV cache");

        Assert.Equal(2L * 24 * 256 * (96 + 2048) * 2 * 64 * 2, kv); // K and V, layers, rows, positions, KV heads x head dim, bf16.
        Assert.Equal(2 * kv, Part(MemoryEstimate.Sampler(Qwen05B, b: 2, batch: 512, promptTokens: 96, newTokens: 2048), "KV cache"));
    }

    [Fact]
    public void Should_refuse_a_device_that_cannot_hold_its_samplers_naming_what_to_lower()
    {
        var s = Settings("sampling.batch-size=256", "sampling.max-new-tokens=2048", "model.dtype=bfloat16", "sampling.devices=cuda:0,cuda:1",
            "sampling.samplers=2", "learning.device=cuda:1");
        var needs = MemoryEstimate.For(DevicePlacement.Plan(s, HostedRoles.Samplers), s, Qwen05B);

        var e = Assert.Throws<SettingsException>(() => MemoryCheck.Run(needs, new FixedDevices(64 * GiB, 6 * GiB, 6 * GiB), enforce: true));

        Assert.StartsWith("memory check: cuda:0 needs ~", e.Message, StringComparison.Ordinal);
        Assert.Contains("for sampler-0 (KV cache 6.3 GiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("but has 6.0 GiB free. Lower dash.sampling.batch-size or dash.sampling.max-new-tokens;", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        var fits = MemoryCheck.Run(needs, new FixedDevices(64 * GiB, 40 * GiB, 40 * GiB), enforce: true);
        Assert.Equal(2, fits.Count);
        Assert.StartsWith("memory: cuda:0 needs ~", fits[0], StringComparison.Ordinal);
        Assert.EndsWith("of 40.0 GiB free (sampler-0).", fits[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_add_up_the_actors_that_share_a_device()
    {
        var s = Settings("sampling.batch-size=64", "sampling.max-new-tokens=512", "sampling.samplers=2", "sampling.devices=cuda:0", "learning.device=cuda:1");
        var needs = MemoryEstimate.For(DevicePlacement.Plan(s, HostedRoles.All), s, Qwen05B);
        var one = needs[0].Bytes + MemoryCheck.CudaContextBytes;
        var gpus = new FixedDevices(64 * GiB, one + GiB, 80 * GiB); // Room for one sampler, not two.

        var e = Assert.Throws<SettingsException>(() => MemoryCheck.Run(needs, gpus, enforce: true));

        Assert.Contains("cuda:0 needs ~", e.Message, StringComparison.Ordinal);
        Assert.Contains("for sampler-0, sampler-1 (", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, MemoryCheck.Run(needs, gpus with { CudaFree = [2 * one, 80 * GiB] }, enforce: true).Count);
    }

    [Fact]
    public void Should_name_the_micro_batch_when_the_learners_activations_do_not_fit()
    {
        var s = Settings("learning.micro-batch-size=64", "sampling.max-new-tokens=2048", "learning.device=cuda:0");
        var needs = MemoryEstimate.For(DevicePlacement.Plan(s, HostedRoles.Learner), s, Qwen05B);

        var e = Assert.Throws<SettingsException>(() => MemoryCheck.Run(needs, new FixedDevices(64 * GiB, 80 * GiB), enforce: true));

        Assert.Contains("for learner (activations", e.Message, StringComparison.Ordinal);
        Assert.Contains("Lower dash.learning.micro-batch-size, dash.sampling.max-new-tokens or dash.model.dtype = bfloat16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_check_cpu_actors_against_available_ram_and_report_when_the_check_is_off()
    {
        var s = Settings("sampling.batch-size=100000");
        var report = () => MemoryCheck.Report(s, ModelConfig.Tiny(64), HostedRoles.All, new FixedDevices(GiB));

        var e = Assert.Throws<SettingsException>(report);
        Assert.Contains("cpu needs ~", e.Message, StringComparison.Ordinal);
        Assert.Contains("but has 1.0 GiB free", e.Message, StringComparison.Ordinal);
        var off = MemoryCheck.Report(s with { Model = s.Model with { MemoryCheck = false } }, ModelConfig.Tiny(64), HostedRoles.All, new FixedDevices(GiB));
        Assert.Equal(3, off.Count);
        Assert.StartsWith("sampler-0 on cpu (dash.model.device): ~", off[0], StringComparison.Ordinal);
        Assert.StartsWith("learner on cpu (dash.model.device): ~", off[1], StringComparison.Ordinal);
        Assert.EndsWith("over, but dash.model.memory-check = off.", off[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_a_device_whose_free_memory_is_unknown_without_refusing()
    {
        var needs = MemoryEstimate.For(DevicePlacement.Plan(Settings(), HostedRoles.All), Settings(), Qwen05B);

        var lines = MemoryCheck.Run(needs, new UnknownMemory(), enforce: true);

        Assert.EndsWith("its free memory is unknown, not checked.", Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_available_ram_from_proc_meminfo_and_free_gpu_memory_from_nvidia_smi()
    {
        Assert.Equal(16_069_972L * 1024, LocalDevices.MemAvailable("MemTotal:       24567892 kB\nMemFree:         1234 kB\nMemAvailable:   16069972 kB\n"));
        Assert.Null(LocalDevices.MemAvailable("MemTotal: 1 kB\n"));
        const string smi = "0, GPU-aaaa-1111, 81000\n1, GPU-bbbb-2222, 40000\n2, GPU-cccc-3333, 1000\n";
        Assert.Equal(40_000L << 20, LocalDevices.GpuFree(smi, 1, visible: null));
        Assert.Equal(1_000L << 20, LocalDevices.GpuFree(smi, 0, visible: "2,0")); // CUDA_VISIBLE_DEVICES renumbers: cuda:0 is GPU 2.
        Assert.Equal(81_000L << 20, LocalDevices.GpuFree(smi, 0, visible: "GPU-aaaa"));
        Assert.Null(LocalDevices.GpuFree(smi, 3, visible: null));
    }

    private sealed class UnknownMemory : IDeviceInventory
    {
        public int CudaDevices => 0;
        public string NoCudaReason => "none";
        public long? AvailableBytes(Dash.Model.Runtime.DeviceSpec device) => null;
    }
}
