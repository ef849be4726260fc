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
    private OfflinePlanner _planner = null!;

    private static readonly RoutingRule EverySlot = new()
    {
        Slots = Core.Llm.Offline.Slots.SlotLibrary.All.ToDictionary(t => t.Name, t => t.Name),
        Require = ["angle|width|height|scale"],
    };

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
        _planner = new OfflinePlanner(new ExpertRegistry(entries, new DictionaryModelLocator()), _embedder);
        _planner.Route("warm up", CancellationToken.None);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark]
    public float[] EmbedOneQuestion() => _embedder.Embed(["What does the sign in this photo say?"], CancellationToken.None)[0];

    [Benchmark]
    public float[][] EmbedSixteenExamples() => _embedder.Embed(Examples, CancellationToken.None);

    // Every call routes a question it has not seen (the index keeps recent vectors): two questions in turn, each
    // ending in a word of its own.
    private static readonly string[] Questions = ["please cut the dog out of img1", "how large is the picture?"];
    private int _turn;

    private string Unseen(string text) => $"{text} v{_turn++}";

    [Benchmark]
    public RouteMatch? RouteOneQuestion() => _index.Best(Unseen(Questions[_turn % 2]), CancellationToken.None);

    /// <summary>Routing as a step of the planner does it: the best rule, then the check that only an LLM could answer.</summary>
    [Benchmark]
    public RouteMatch? RouteOneQuestionWithDeclineCheck() => _planner.Route(Unseen(Questions[_turn % 2]), CancellationToken.None);

    /// <summary>
    /// Reading a question that asks for three things in turn (one sequence word, one "and"), none of it seen before:
    /// each part, and the two parts "and" joins taken together, routed once.
    /// </summary>
    [Benchmark]
    public int SplitAQuestionOfThreeRequests()
    {
        var word = $"v{_turn++}";
        return _planner.Requests($"read the text on it {word}, then describe the image {word} and blur the background {word}", q => q, CancellationToken.None).Parts.Count;
    }

    /// <summary>
    /// One step of the planner on a single request it has seen before (its vectors cached), as every step after the
    /// first is: splitting, routing, the image choice and the next action.
    /// </summary>
    [Benchmark]
    public string ReplyToASeenSingleRequest() =>
        _planner.Reply(new PlannerConversation("please cut the dog out of img1", [new ListedImage("img1", "dog.png (640x480)", null, null, null)], [], []), CancellationToken.None).Text;

    /// <summary>Every slot type of the library on one question.</summary>
    [Benchmark]
    public Core.Llm.Offline.Slots.SlotFilling FillEverySlotType() =>
        Core.Llm.Offline.Slots.RuleSlots.Fill(EverySlot, new Core.Llm.Offline.Slots.SlotQuestion("resize the left half to 640 pixels wide and make it slightly brighter, then rotate it 90 degrees counter-clockwise", 600, 400));

    public sealed class BenchPlugin
    {
        [KernelFunction("run"), Description("bench")]
        public Task<ExpertResult> RunAsync(string image, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ExpertResult { Observation = image });
    }
}
