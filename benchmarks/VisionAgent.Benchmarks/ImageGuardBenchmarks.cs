using BenchmarkDotNet.Attributes;
using VisionAgent.Imaging;
using VisionAgent.Testing;

namespace VisionAgent.Benchmarks;

/// <summary>
/// What the container walk adds to every image load: walking a JPEG marker by marker (entropy data included) and
/// a PNG chunk by chunk with CRCs, against the guarded decode that follows it.
/// </summary>
[MemoryDiagnoser]
public class ImageGuardBenchmarks
{
    private readonly ImageLoader _loader = new();
    private byte[] _jpeg = null!;
    private byte[] _png = null!;

    [GlobalSetup]
    public void Setup()
    {
        _jpeg = File.ReadAllBytes(RepositoryPaths.SampleImage("rocket.jpg"));
        _png = File.ReadAllBytes(RepositoryPaths.SampleImage("astronaut.png"));
    }

    [Benchmark(Description = "walk JPEG 640x427 (112 KB)")]
    public string? WalkJpeg() => ImageStructure.Inspect(new MemoryStream(_jpeg, writable: false), "JPEG").Problem;

    [Benchmark(Description = "walk PNG 512x512 (792 KB)")]
    public string? WalkPng() => ImageStructure.Inspect(new MemoryStream(_png, writable: false), "PNG").Problem;

    [Benchmark(Description = "guarded load JPEG 640x427")]
    public int LoadJpeg()
    {
        using var image = _loader.LoadRgb(RepositoryPaths.SampleImage("rocket.jpg"));
        return image.Width;
    }

    [Benchmark(Description = "guarded load PNG 512x512")]
    public int LoadPng()
    {
        using var image = _loader.LoadRgb(RepositoryPaths.SampleImage("astronaut.png"));
        return image.Width;
    }
}
