using Microsoft.ML.OnnxRuntime;
using Onnx;
using VisionAgent.Abstractions;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Onnx.Tests;

public sealed class DerivedModelTests : IDisposable
{
    private const long Float16 = (long)TensorProto.Types.DataType.Float16;
    private const long Float32 = (long)TensorProto.Types.DataType.Float;

    private readonly TestExpertHost _host = new();

    // y = float(half(x) * w + c): a float16 model with a raw initializer, an int32-stored constant and casts both ways.
    private string HalfModel(string name) => new TinyOnnxModel("half")
        .FloatInput("x", 1, 3)
        .FloatOutput("y", 1, 3)
        .Float16Initializer("w", [2f, 0.5f, -3f], 1, 3)
        .Node("Cast", ["x"], ["x16"], ("to", Float16))
        .Node("Mul", ["x16", "w"], ["scaled"])
        .Node("Constant", [], ["c"], ("value", TinyOnnxModel.Float16Tensor([0.25f], 1)))
        .Node("Add", ["scaled", "c"], ["sum"])
        .Node("Cast", ["sum"], ["y"], ("to", Float32))
        .Save(_host.PathFor(name));

    [Fact]
    public void Widened_model_holds_no_float16_and_computes_the_same()
    {
        var path = HalfModel("half.onnx");

        var widened = Float16Widening.Widen(File.ReadAllBytes(path));

        Assert.NotNull(widened);
        var graph = ModelProto.Parser.ParseFrom(widened).Graph;
        Assert.All(graph.Initializer, t => Assert.Equal((int)Float32, t.DataType));
        Assert.All(graph.Node.SelectMany(n => n.Attribute).Where(a => a.T is not null), a => Assert.Equal((int)Float32, a.T.DataType));
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Cast" && n.Attribute.Single().I == Float16);
        using var original = new InferenceSession(path);
        using var wide = new InferenceSession(widened);
        Assert.Equal(Run(original), Run(wide));
        Assert.Equal([2.25f, 1.25f, -8.75f], Run(wide));
    }

    [Fact]
    public void Streamed_widening_holds_one_tensor_at_a_time_and_computes_the_same()
    {
        // y = x * w0 + w1 + ... + w23: 24 float16 tensors of 512 KB each, 12 MB of weights in all.
        const int Tensors = 24, Values = 256 * 1024;
        var model = new TinyOnnxModel("many").FloatInput("x", Values).FloatOutput("y", Values)
            .Node("Cast", ["x"], ["acc0"], ("to", Float16));
        for (var i = 0; i < Tensors; i++)
        {
            var weights = Enumerable.Range(0, Values).Select(v => ((v + i) % 97 - 48) / 64f).ToArray();
            model.Float16Initializer($"w{i}", weights, Values)
                .Node(i == 0 ? "Mul" : "Add", [$"acc{i}", $"w{i}"], [$"acc{i + 1}"]);
        }
        var path = model.Node("Cast", [$"acc{Tensors}"], ["y"], ("to", Float32)).Save(_host.PathFor("many.onnx"));
        var widenedPath = _host.PathFor("many.fp32.onnx");

        Float16WideningResult result;
        using (var source = File.OpenRead(path))
        using (var destination = File.Create(widenedPath))
            result = Float16Widening.Widen(source, destination, CancellationToken.None);

        Assert.True(result.Changed);
        Assert.Equal(new FileInfo(widenedPath).Length, result.WrittenBytes);
        // One tensor as read (512 KB) and as widened (1 MB), never the 12 MB of weights or the 24 MB they become.
        Assert.InRange(result.PeakHeldBytes, 3 * Values * 2, (3 * Values * 2) + 4096);
        Assert.Equal(Float16Widening.Widen(File.ReadAllBytes(path)), File.ReadAllBytes(widenedPath));
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(widenedPath)).Graph;
        Assert.Equal(Tensors, graph.Initializer.Count);
        Assert.All(graph.Initializer, t => Assert.Equal((int)Float32, t.DataType));
        var input = Enumerable.Range(0, Values).Select(v => (v % 13) / 8f).ToArray();
        using var original = new InferenceSession(path);
        using var wide = new InferenceSession(widenedPath);
        Assert.Equal(Run(original, input), Run(wide, input));
    }

    [Fact]
    public void Truncated_model_is_refused_with_a_clear_error()
    {
        var bytes = File.ReadAllBytes(HalfModel("truncated.onnx"));

        var error = Assert.Throws<InvalidDataException>(() => Float16Widening.Widen(bytes[..^7]));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float32_model_is_left_alone()
    {
        var path = new TinyOnnxModel().FloatInput("x", 1).FloatOutput("y", 1).Node("Identity", ["x"], ["y"]).Save(_host.PathFor("id.onnx"));

        Assert.Null(Float16Widening.Widen(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Derived_model_is_made_once_and_loaded_by_later_pools()
    {
        var path = HalfModel("cached.onnx");
        var options = new OnnxModelOptions { WidenFloat16 = true, CacheOptimized = true, MemoryArena = false, MemoryPattern = false };
        var folder = Path.Combine(Path.GetDirectoryName(path)!, ".optimized");

        float[] first;
        using (var pool = new OnnxSessionPool()) first = Run(pool.Get(path, options));
        var made = Assert.Single(Directory.GetFiles(folder));
        var written = File.GetLastWriteTimeUtc(made);
        float[] second;
        using (var pool = new OnnxSessionPool()) second = Run(pool.Get(path, options));

        Assert.Equal([2.25f, 1.25f, -8.75f], first);
        Assert.Equal(first, second);
        Assert.Equal(made, Assert.Single(Directory.GetFiles(folder)));
        Assert.Equal(written, File.GetLastWriteTimeUtc(made));
        Assert.Null(Float16Widening.Widen(File.ReadAllBytes(made)));
        Assert.Contains(".fp32.opt.onnx", made, StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_cache_saves_the_fully_optimised_graph_under_this_cpus_vector_width()
    {
        var path = HalfModel("layout.onnx");
        var options = new OnnxModelOptions { WidenFloat16 = true, CacheOptimized = true, CacheLayout = true, MemoryArena = false, MemoryPattern = false };
        var folder = Path.Combine(Path.GetDirectoryName(path)!, ".optimized");

        float[] first, second;
        using (var pool = new OnnxSessionPool()) first = Run(pool.Get(path, options));
        var made = Assert.Single(Directory.GetFiles(folder));
        using (var pool = new OnnxSessionPool()) second = Run(pool.Get(path, options));

        Assert.Equal([2.25f, 1.25f, -8.75f], first);
        Assert.Equal(first, second);
        Assert.Equal(made, Assert.Single(Directory.GetFiles(folder)));
        Assert.Matches(@"\.fp32\.opt\.[a-z0-9]+-v(128|256|512)\.onnx$", made);
        // The portable file of the same model is another name: neither is loaded for the other.
        Assert.NotEqual(made, DerivedModelFiles.PathFor(path, options with { CacheLayout = false }));
        Assert.Equal(DerivedModelFiles.PathFor(path, options with { CacheLayout = false }),
            DerivedModelFiles.PathFor(path, options with { Optimization = GraphOptimizationLevel.ORT_ENABLE_EXTENDED }));
    }

    [Fact]
    public void A_changed_model_file_gets_a_new_derived_file()
    {
        var path = HalfModel("changing.onnx");
        var options = new OnnxModelOptions { WidenFloat16 = true };
        var before = DerivedModelFiles.PathFor(path, options);

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));

        Assert.NotEqual(before, DerivedModelFiles.PathFor(path, options));
    }

    [Fact]
    public void Settings_choose_the_options_and_bad_values_are_named()
    {
        var manifest = new ExpertManifest { Name = "demo", Description = "d" };
        var context = _host.CreateContext(manifest, new Dictionary<string, string>
        {
            ["m_optimization"] = "extended",
            ["m_memory_arena"] = "false",
            ["m_widen_fp16"] = "true",
            ["m_threads"] = "2",
            ["m_spinning"] = "false",
        });

        var options = OnnxModelOptions.FromSettings(context, "m_");

        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_EXTENDED, options.Optimization);
        Assert.False(options.MemoryArena);
        Assert.True(options.MemoryPattern);
        Assert.True(options.WidenFloat16);
        Assert.False(options.CacheOptimized);
        Assert.Equal(2, options.Threads);
        Assert.False(options.Spinning);
        Assert.False(OnnxModelOptions.Default.Spinning);
        var unset = OnnxModelOptions.FromSettings(_host.CreateContext(manifest, new Dictionary<string, string> { ["m_threads"] = "1" }), "m_");
        Assert.False(unset.Spinning);
        Assert.Equal(1, unset.Threads);
        Assert.True(OnnxModelOptions.FromSettings(_host.CreateContext(manifest, new Dictionary<string, string> { ["m_spinning"] = "true" }), "m_").Spinning);
        var bad = _host.CreateContext(manifest, new Dictionary<string, string> { ["m_optimization"] = "fastest" });
        var error = Assert.Throws<BadInputException>(() => OnnxModelOptions.FromSettings(bad, "m_"));
        Assert.Contains("demo.m_optimization", error.Message, StringComparison.Ordinal);
    }

    private static float[] Run(InferenceSession session) => Run(session, [1f, 2f, 3f], 1, 3);

    private static float[] Run(InferenceSession session, float[] values, params long[] shape)
    {
        using var input = OnnxTensors.FromArray(values, shape.Length == 0 ? [values.Length] : shape);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { ["x"] = input }, ["y"], CancellationToken.None);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _host.Dispose();
}
