using BenchmarkDotNet.Attributes;
using VisionAgent.Imaging;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Tensors;
using VisionAgent.ModelStore;
using VisionAgent.Onnx;
using VisionAgent.Plugins.Ocr;
using VisionAgent.Testing;
using VisionAgent.Testing.Rendering;

namespace VisionAgent.Benchmarks;

/// <summary>
/// The ocr expert on the sample page (384x191 photo) and on a rendered 1920x1080 screenshot: detection alone,
/// recognition of the detected lines alone, and the whole read from the file.
/// </summary>
[MemoryDiagnoser]
public class OcrBenchmarks
{
    private readonly OnnxSessionPool _sessions = new();
    private OcrPipeline _pipeline = null!;
    private string _path = null!;
    private RgbPixels _pixels = null!;
    private List<VisionAgent.Imaging.Tensors.Quad> _quads = null!;

    [Params("page", "screenshot-1080p")]
    public string Image { get; set; } = "page";

    /// <summary>
    /// The expert's thread settings (no spinning, one recognition worker per processor) against ONNX Runtime's
    /// defaults with one line at a time, as the expert ran before them.
    /// </summary>
    [Params(true, false)]
    public bool QuietThreads { get; set; } = true;

    [GlobalSetup]
    public void Setup()
    {
        var options = QuietThreads ? new OcrOptions() : new OcrOptions { RecWorkers = 1, Session = OnnxModelOptions.Default };
        _pipeline = OcrPipeline.Create(_sessions, FetchModels(), options);
        _path = Image == "page"
            ? RepositoryPaths.SampleImage("page.png")
            : TextScene.Screenshot.Render(Path.Combine(Path.GetTempPath(), "visionagent-bench"));
        _pixels = RgbPixels.Load(_path, new ImageLoader());
        _quads = _pipeline.Detect(_pixels, CancellationToken.None).Select(b => b.Quad).ToList();
    }

    /// <summary>The PP-OCRv4 files through the model cache (fetched on first use).</summary>
    internal static OcrModelPaths FetchModels()
    {
        var manifest = ExpertManifestReader.ReadEmbedded(typeof(OcrExpertModule).Assembly);
        var cache = new ModelCache(new ModelCacheOptions { Manifests = [manifest] });
        var files = cache.FetchAsync(manifest.Name, null, CancellationToken.None).GetAwaiter().GetResult().ToDictionary(f => f.Name, f => f.Path);
        return new OcrModelPaths(files["det"], files["cls"], files["rec"], files["keys"]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pixels.Dispose();
        _sessions.Dispose();
    }

    [Benchmark]
    public int Detection() => _pipeline.Detect(_pixels, CancellationToken.None).Count;

    [Benchmark]
    public int Recognition() => _pipeline.Recognize(_pixels, _quads, CancellationToken.None).Count;

    [Benchmark]
    public int WholePage()
    {
        using var pixels = RgbPixels.Load(_path, new ImageLoader());
        return _pipeline.Read(pixels, 0.5f, CancellationToken.None).Count;
    }
}
