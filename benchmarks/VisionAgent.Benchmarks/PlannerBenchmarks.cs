using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Hosting;
using VisionAgent.Onnx;
using VisionAgent.Testing;

namespace VisionAgent.Benchmarks;

/// <summary>The offline planner's sentence embedder (all-MiniLM-L6-v2 on ONNX Runtime) and one routing decision.</summary>
[MemoryDiagnoser]
public class PlannerBenchmarks
{
    private static readonly string[] Examples =
    [
        "what does it say", "read the text", "transcribe the page", "how big is this image", "what size is the picture",
        "what objects are in the picture", "find the cat", "describe the image", "cut out the dog", "remove the background",
        "blur the background", "what colours are in the image", "when was this photo taken", "count the people", "segment the car",
        "what is written on the sign",
    ];

    private OnnxSessionPool _pool = null!;
    private MiniLmEmbedder _embedder = null!;
    private RoutingIndex _index = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new OnnxSessionPool();
        _embedder = MiniLmEmbedder.Load(_pool, Path.Combine(Path.GetTempPath(), "visionagent-bench-models"));
        var entries = Enumerable.Range(0, 4).Select(i => new ExpertEntry(
            new ExpertManifest
            {
                Name = $"expert{i}",
                Description = "bench",
                Routing = [new RoutingRule { Examples = Examples.Skip(i * 4).Take(4).ToList() }],
            },
            KernelPluginFactory.CreateFromObject(new BenchPlugin(), $"expert{i}"),
            "bench"));
        _index = new RoutingIndex(new ExpertRegistry(entries, new DictionaryModelLocator()), _embedder);
        _index.Best("warm up", CancellationToken.None);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark]
    public float[] EmbedOneQuestion() => _embedder.Embed(["What does the sign in this photo say?"], CancellationToken.None)[0];

    [Benchmark]
    public float[][] EmbedSixteenExamples() => _embedder.Embed(Examples, CancellationToken.None);

    [Benchmark]
    public RouteMatch? RouteOneQuestion() => _index.Best("please cut the dog out of img1", CancellationToken.None);

    public sealed class BenchPlugin
    {
        [KernelFunction("run"), Description("bench")]
        public Task<ExpertResult> RunAsync(string image, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ExpertResult { Observation = image });
    }
}
