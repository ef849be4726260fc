using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using VisionAgent.Abstractions;
using VisionAgent.Onnx;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Onnx.Tests;

public sealed class OnnxSessionPoolTests : IDisposable
{
    private readonly TestExpertHost _host = new();

    [Fact]
    public void Tiny_model_runs_and_sessions_are_shared()
    {
        var path = new TinyOnnxModel()
            .FloatInput("x", 1, 3)
            .FloatOutput("y", 1, 3)
            .Initializer("two", [2f], 1)
            .Node("Mul", ["x", "two"], ["y"])
            .Metadata("names", "{0: 'cat'}")
            .Save(_host.PathFor("mul.onnx"));
        using var pool = new OnnxSessionPool();

        var session = pool.Get(path);
        using var input = OnnxTensors.FromArray(new[] { 1f, 2f, 3f }, 1, 3);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { ["x"] = input }, ["y"], CancellationToken.None);

        Assert.Equal([2f, 4f, 6f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Same(session, pool.Get(path));
        Assert.Equal("{0: 'cat'}", OnnxTensors.Metadata(session)["names"]);
        Assert.True(pool.Unload(path));
        Assert.Equal(0, pool.LoadedCount);
    }

    [Fact]
    public void Model_without_spinning_threads_runs_the_same()
    {
        var path = new TinyOnnxModel()
            .FloatInput("x", 1, 3)
            .FloatOutput("y", 1, 3)
            .Initializer("three", [3f], 1)
            .Node("Mul", ["x", "three"], ["y"])
            .Save(_host.PathFor("quiet.onnx"));
        using var pool = new OnnxSessionPool();

        var session = pool.Get(path, new OnnxModelOptions { Spinning = false, Threads = 2 });
        using var input = OnnxTensors.FromArray(new[] { 1f, -2f, 0.5f }, 1, 3);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { ["x"] = input }, ["y"], CancellationToken.None);

        Assert.Equal([3f, -6f, 1.5f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void Cuda_request_on_the_cpu_package_falls_back_with_a_warning()
    {
        var path = new TinyOnnxModel().FloatInput("x", 1).FloatOutput("y", 1).Node("Identity", ["x"], ["y"]).Save(_host.PathFor("id.onnx"));
        var warnings = new List<string>();
        using var pool = new OnnxSessionPool(new OnnxOptions { Device = "cuda" }, warnings.Add);

        pool.Get(path);

        Assert.Equal("cpu", pool.ActiveDevice);
        Assert.Single(warnings);
        Assert.Contains("running models on the CPU", warnings[0]);
    }

    [Fact]
    public void Missing_or_corrupt_model_is_bad_input()
    {
        using var pool = new OnnxSessionPool();
        Assert.Throws<BadInputException>(() => pool.Get(_host.PathFor("absent.onnx")));
        File.WriteAllText(_host.PathFor("junk.onnx"), "not a model");
        Assert.Throws<BadInputException>(() => pool.Get(_host.PathFor("junk.onnx")));
    }

    [Fact]
    public void Optimised_graph_is_saved_once_loaded_afterwards_and_renewed_when_the_model_changes()
    {
        var path = MulModel(2f);
        var cacheFolder = _host.PathFor("optimized");
        var options = new OnnxOptions { OptimizedModelCache = cacheFolder };

        using (var first = new OnnxSessionPool(options)) Assert.Equal([2f, 4f, 6f], RunMul(first.Get(path)));
        var saved = Directory.GetFiles(cacheFolder);
        var savedAt = File.GetLastWriteTimeUtc(Assert.Single(saved));
        using (var second = new OnnxSessionPool(options)) Assert.Equal([2f, 4f, 6f], RunMul(second.Get(path)));
        Assert.Equal(saved, Directory.GetFiles(cacheFolder));
        Assert.Equal(savedAt, File.GetLastWriteTimeUtc(saved[0]));

        MulModel(3f);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        using (var third = new OnnxSessionPool(options)) Assert.Equal([3f, 6f, 9f], RunMul(third.Get(path)));
        Assert.Equal(2, Directory.GetFiles(cacheFolder).Length);
        Assert.DoesNotContain(Directory.GetFiles(cacheFolder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_cache_folder_nothing_is_saved()
    {
        var path = MulModel(2f);

        using var pool = new OnnxSessionPool();
        pool.Get(path);

        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    private string MulModel(float factor) => new TinyOnnxModel()
        .FloatInput("x", 1, 3)
        .FloatOutput("y", 1, 3)
        .Initializer("factor", [factor], 1)
        .Node("Mul", ["x", "factor"], ["y"])
        .Save(_host.PathFor("models/mul.onnx"));

    [Fact]
    public void Freed_large_native_blocks_go_back_to_the_system_on_glibc()
    {
        using var pool = new OnnxSessionPool();
        var glibc = OperatingSystem.IsLinux() && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);

        // The pool applied it already; asking again answers the same without applying twice.
        Assert.Equal(glibc, NativeHeap.ReturnLargeBlocksToTheSystem());
    }

    [Fact]
    public void A_session_without_spinning_runs_the_same()
    {
        var path = MulModel(2f);
        using var pool = new OnnxSessionPool();

        var result = RunMul(pool.Get(path, new OnnxModelOptions { Spinning = false, Threads = 2 }));

        Assert.Equal([2f, 4f, 6f], result);
    }

    private static float[] RunMul(InferenceSession session)
    {
        using var input = OnnxTensors.FromArray(new[] { 1f, 2f, 3f }, 1, 3);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { ["x"] = input }, ["y"], CancellationToken.None);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _host.Dispose();
}
