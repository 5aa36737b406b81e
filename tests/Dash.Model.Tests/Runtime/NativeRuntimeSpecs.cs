// Specifies the process start-up: libstdc++ check, allocator fix, MKL reproducibility, device parsing.
using Dash.Model.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Dash.Model.Tests.Runtime;

public sealed class NativeRuntimeSpecs
{
    [Fact]
    public void Should_find_no_libstdcxx_problem_on_a_prepared_machine()
    {
        Assert.Null(NativeRuntime.FindLibstdcxxProblem());
    }

    [Fact]
    public void Should_run_a_tensor_op_after_initialize()
    {
        NativeRuntime.Initialize();
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = (a * 2).sum();
        Assert.Equal(12f, b.item<float>());
    }

    [Fact]
    public void Should_ask_MKL_for_results_that_do_not_depend_on_the_thread_count()
    {
        // The test host runs Initialize before any test (as every dash process does before its first tensor), and CI sets
        // no MKL_CBWR of its own: so MKL, which reads it at its first call, sees strict reproducibility.
        NativeRuntime.Initialize();
        Assert.Equal(NativeRuntime.BlasReproducibility, NativeRuntime.BlasReproducibilitySetting());
    }

    [Fact]
    public void Should_keep_large_tensor_buffers_out_of_mmap_when_the_allocator_fix_is_active()
    {
        NativeRuntime.Initialize();
        Assert.True(NativeRuntime.AllocatorTuned);
        var before = NativeRuntime.MmappedBytes();
        // 16 MiB: far above glibc's default 128 KiB mmap threshold, so without the fix it would be mmapped.
        // (Blocks over 64 MiB requested from a non-main arena are always mmapped by glibc, whatever mallopt says.)
        using (var big = zeros(4 * 1024 * 1024, dtype: ScalarType.Float32))
        {
            big.add_(1);
            Assert.Equal(before, NativeRuntime.MmappedBytes());
        }
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("CUDA", "cuda:0")]
    [InlineData("cuda:3", "cuda:3")]
    public void Should_parse_device_names(string text, string expected)
    {
        Assert.Equal(expected, DeviceSpec.Parse(text).ToString());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void Should_reject_bad_device_names_naming_the_key(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse(text, "sampler.device"));
        Assert.Contains("sampler.device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_explain_how_to_get_cuda_when_it_is_missing()
    {
        if (cuda.is_available()) return; // Only meaningful on CPU-only builds and machines.
        var e = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse("cuda:0").ToTorch());
        Assert.Contains("DashCuda=true", e.Message, StringComparison.Ordinal);
        Assert.Contains("DashExternalLibTorch=true", e.Message, StringComparison.Ordinal);
    }
}
