using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Hosting;
using VisionAgent.Core.Prompts;
using VisionAgent.Imaging;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>Made-up experts that exist only through their manifests and plugin objects, as a third party would add them.</summary>
public static class PlannerTestExperts
{
    public static ExpertManifest ReaderManifest => new()
    {
        Name = "reader",
        Description = "Reads text in an image.",
        Routing =
        [
            new RoutingRule
            {
                Examples = ["what does it say", "read the text", "what is written on the sign", "transcribe the page"],
                Keywords = ["read", "text", "written", "say", "says"],
                Answer = "The image says: {observation}",
            },
        ],
    };

    public static ExpertManifest FinderManifest => new()
    {
        Name = "finder",
        Description = "Finds objects.",
        Routing = [new RoutingRule { Examples = ["find the objects", "where is the cat", "count the animals"], Keywords = ["find", "where", "count"] }],
    };

    public static ExpertManifest MaskerManifest => new()
    {
        Name = "masker",
        Description = "Masks an object in a box.",
        Routing = [new RoutingRule { Examples = ["cut out the cat", "segment the object", "make a mask of the dog"], Keywords = ["cut", "mask", "segment"], After = ["finder"] }],
    };

    public static ExpertManifest PainterManifest => new()
    {
        Name = "painter",
        Description = "Edits images.",
        Routing =
        [
            new RoutingRule
            {
                Examples = ["remove the cat from the picture", "erase the object", "paint over the dog"],
                Keywords = ["remove", "erase"],
                Function = "inpaint",
                After = ["masker"],
                Arguments = new Dictionary<string, string> { ["prompt"] = "empty background where the {subject} was" },
                Answer = "Done: {observation}",
            },
        ],
    };

    public static ExpertManifest BrokenManifest => new()
    {
        Name = "counter",
        Description = "Counts coins.",
        Routing = [new RoutingRule { Examples = ["how many coins are there", "count the coins"], Keywords = ["coins"] }],
    };

    public static ExpertEntry Entry(ExpertManifest manifest, object plugin) =>
        new(manifest, KernelPluginFactory.CreateFromObject(plugin, manifest.Name), "test");
}

public sealed class ReaderPlugin
{
    public List<string> Calls { get; } = [];

    [KernelFunction("reader"), Description("Reads the text in an image.")]
    public Task<ExpertResult> ReadAsync([Description("image handle")] string image, CancellationToken cancellationToken = default)
    {
        Calls.Add(image);
        return Task.FromResult(new ExpertResult { Observation = "OPEN 9 TO 5", ContainsUntrustedText = true });
    }
}

public sealed class FinderPlugin(IImageStore images)
{
    [KernelFunction("finder"), Description("Finds objects and names them as regions.")]
    public Task<ExpertResult> FindAsync([Description("image handle")] string image, CancellationToken cancellationToken = default)
    {
        var record = images.Get(image);
        var dog = images.AddRegion(record.Handle, "dog", 0.7f, new PixelBox(0, 0, 10, 10));
        var cat = images.AddRegion(record.Handle, "cat", 0.9f, new PixelBox(10, 10, 100, 100));
        return Task.FromResult(new ExpertResult { Observation = $"2 objects: dog 0.70 as {dog.Reference}, cat 0.90 as {cat.Reference}" });
    }
}

public sealed class MaskerPlugin(IImageStore images)
{
    public List<(string Image, string? Box)> Calls { get; } = [];

    [KernelFunction("masker"), Description("Makes a mask of the object in a box.")]
    public Task<ExpertResult> MaskAsync([Description("image handle")] string image, [Description("region such as img1#det1")] string? box = null, CancellationToken cancellationToken = default)
    {
        Calls.Add((image, box));
        var record = images.Get(image);
        var path = images.NewOutputPath(record.Handle, "mask");
        OutputFile.Copy(record.Path, path);
        var mask = images.AddProduced(path, record.Handle, "masker", "mask");
        return Task.FromResult(new ExpertResult { Observation = $"mask {mask.Handle} covers 12% of {record.Handle}", Images = [mask] });
    }
}

public sealed class PainterPlugin
{
    public List<(string Image, string Mask, string Prompt)> Calls { get; } = [];

    [KernelFunction("inpaint"), Description("Fills the masked area.")]
    public Task<ExpertResult> InpaintAsync(string image, string mask, string prompt = "", CancellationToken cancellationToken = default)
    {
        Calls.Add((image, mask, prompt));
        return Task.FromResult(new ExpertResult { Observation = $"painted {mask} on {image}" });
    }

    [KernelFunction("blur"), Description("Blurs the image.")]
    public Task<ExpertResult> BlurAsync(string image, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ExpertResult { Observation = $"blurred {image}" });
}

public sealed class BrokenCounterPlugin
{
    [KernelFunction("counter"), Description("Counts coins.")]
    public Task<ExpertResult> CountAsync(string image, CancellationToken cancellationToken = default) =>
        throw new BadInputException("the coin model is not installed");
}

/// <summary>An agent over the offline planner with the given experts, on a temporary image store.</summary>
public sealed class PlannerFixture : IDisposable
{
    private static readonly Lazy<ITextEmbedder?> SharedEmbedder = new(() =>
        MiniLmEmbedder.Load(new VisionAgent.Onnx.OnnxSessionPool(), Path.Combine(Path.GetTempPath(), "visionagent-tests-models")));

    private readonly string _folder = Directory.CreateTempSubdirectory("planner-").FullName;

    public PlannerFixture(Func<IImageStore, IEnumerable<ExpertEntry>> experts, bool embeddings = true, AgentOptions? options = null)
    {
        Images = new ImageHandleStore(Path.Combine(_folder, "out"), new ImageLoader());
        Registry = new ExpertRegistry(experts(Images), new DictionaryModelLocator());
        var marker = new UntrustedTextMarker();
        Planner = new OfflinePlanner(Registry, embeddings ? SharedEmbedder.Value : null, marker);
        Session = new AgentSession(Planner, new ToolInvoker(Registry, Images, marker), Images, PromptLibrary.Default, options ?? new AgentOptions(), Planner.Identity);
    }

    public static ITextEmbedder Embedder => SharedEmbedder.Value!;

    /// <summary>A fixture over <paramref name="experts"/> with the sample images attached, as img1, img2, ...</summary>
    public static PlannerFixture WithImages(Func<IImageStore, IEnumerable<ExpertEntry>> experts, params string[] images)
    {
        var fixture = new PlannerFixture(experts);
        foreach (var image in images) fixture.Images.AddInput(RepositoryPaths.SampleImage(image));
        return fixture;
    }

    public ImageHandleStore Images { get; }
    public ExpertRegistry Registry { get; }
    public OfflinePlanner Planner { get; }
    public AgentSession Session { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
