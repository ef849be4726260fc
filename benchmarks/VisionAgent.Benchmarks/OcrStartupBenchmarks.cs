using BenchmarkDotNet.Attributes;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx;
using VisionAgent.Plugins.Ocr;
using VisionAgent.Testing;

namespace VisionAgent.Benchmarks;

/// <summary>
/// What a fresh `tool ocr` process pays before and while reading its first image: loading the three PP-OCRv4
/// sessions one after another, and a first read of page.png through a new pipeline (sessions loading in parallel),
/// each with and without the optimised-model cache (filled once in the set-up).
/// </summary>
[MemoryDiagnoser(false)]
public class OcrStartupBenchmarks
{
    private OcrModelPaths _paths = null!;
    private OnnxOptions _options = null!;
    private string _cacheFolder = null!;

    [Params(false, true)]
    public bool OptimizedCache { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _paths = OcrBenchmarks.FetchModels();
        _cacheFolder = Path.Combine(Path.GetTempPath(), "visionagent-bench", "onnx-optimized-" + Guid.NewGuid().ToString("N"));
        _options = new OnnxOptions { OptimizedModelCache = OptimizedCache ? _cacheFolder : null };
        if (OptimizedCache) LoadSessions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_cacheFolder)) Directory.Delete(_cacheFolder, recursive: true);
    }

    [Benchmark]
    public int LoadSessions()
    {
        using var sessions = new OnnxSessionPool(_options);
        sessions.Get(_paths.Detector);
        sessions.Get(_paths.Classifier);
        sessions.Get(_paths.Recognizer);
        return sessions.LoadedCount;
    }

    [Benchmark]
    public int FirstReadOfPage()
    {
        using var sessions = new OnnxSessionPool(_options);
        var pipeline = OcrPipeline.Create(sessions, _paths, new OcrOptions());
        using var pixels = RgbPixels.Load(RepositoryPaths.SampleImage("page.png"), new ImageLoader());
        return pipeline.Read(pixels, 0.5f, CancellationToken.None).Count;
    }
}
