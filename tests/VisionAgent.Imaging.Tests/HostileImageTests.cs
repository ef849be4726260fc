using System.Diagnostics;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging;
using VisionAgent.Abstractions;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Imaging.Tests;

public sealed class HostileImageTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan PerFileBound = TimeSpan.FromSeconds(2);
    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-hostile-").FullName;

    public static TheoryData<string> CaseNames() => [.. HostileImageCorpus.Build().Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Load_rejects_hostile_file_quickly_with_bad_input(string caseName)
    {
        var path = Write(caseName);
        var loader = new ImageLoader();

        var stopwatch = Stopwatch.StartNew();
        var error = Assert.Throws<BadInputException>(() => loader.LoadRgb(path).Dispose());
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < PerFileBound, $"{caseName} took {stopwatch.ElapsedMilliseconds} ms");
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(Path.GetFileName(path), error.Message, StringComparison.Ordinal);
        output.WriteLine($"{caseName}: {stopwatch.ElapsedMilliseconds} ms: {error.Message}");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Image_store_refuses_hostile_file_as_input(string caseName)
    {
        var path = Write(caseName);
        var store = new ImageHandleStore(Path.Combine(_folder, "out"), new ImageLoader());

        Assert.Throws<BadInputException>(() => store.AddInput(path));

        Assert.Empty(store.Images);
    }

    [Fact]
    public void Decompression_bomb_is_refused_without_allocating_its_pixels()
    {
        var path = Path.Combine(_folder, "bomb.png");
        File.WriteAllBytes(path, HostileImageCorpus.PngBomb(100_000, 100_000));
        var loader = new ImageLoader();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;

        for (var i = 0; i < 20; i++)
            Assert.Throws<BadInputException>(() => loader.LoadRgb(path).Dispose());

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var heapGrowth = GC.GetTotalMemory(forceFullCollection: false) - heapBefore;
        process.Refresh();
        var workingSetGrowth = process.WorkingSet64 - workingSetBefore;
        output.WriteLine($"20 rejections of a 100000x100000 PNG ({new FileInfo(path).Length} bytes): managed allocations {allocated / 1024} KiB in all, heap growth {heapGrowth / 1024} KiB, working-set growth {workingSetGrowth / 1024} KiB");
        // 30 GB of pixels were declared; the rejections together must stay under a few MiB.
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated} bytes");
        Assert.True(workingSetGrowth < 64 * 1024 * 1024, $"working set grew {workingSetGrowth} bytes");
    }

    [Fact]
    public void Animated_gif_loads_only_the_first_frame_and_never_decodes_later_frames()
    {
        var path = Path.Combine(_folder, "anim.gif");
        File.WriteAllBytes(path, HostileImageCorpus.AnimatedGif(32, 32, frames: 6, corruptAfterFirst: true));

        using var image = new ImageLoader().LoadRgb(path);

        Assert.Single(image.Frames);
        Assert.Equal(32, image.Width);
    }

    [Fact]
    public void Long_animation_costs_about_as_much_as_its_first_frame()
    {
        var single = Path.Combine(_folder, "single.gif");
        var animation = Path.Combine(_folder, "long.gif");
        File.WriteAllBytes(single, HostileImageCorpus.AnimatedGif(128, 128, frames: 1, corruptAfterFirst: false));
        File.WriteAllBytes(animation, HostileImageCorpus.AnimatedGif(128, 128, frames: 40, corruptAfterFirst: false));
        var loader = new ImageLoader();
        loader.LoadRgb(single).Dispose();
        loader.LoadRgb(animation).Dispose();

        var singleMs = BestOf(3, () => loader.LoadRgb(single).Dispose());
        var animationMs = BestOf(3, () => loader.LoadRgb(animation).Dispose());

        output.WriteLine($"first frame of 1: {singleMs:0.0} ms; first frame of 40: {animationMs:0.0} ms");
        // Decoding all 40 frames would cost about 40 times as much.
        Assert.True(animationMs < singleMs * 4 + 20, $"{animationMs:0.0} ms vs {singleMs:0.0} ms");
    }

    private static double BestOf(int runs, Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, stopwatch.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    [Fact]
    public void Valid_animated_gif_keeps_first_frame()
    {
        var path = Path.Combine(_folder, "ok.gif");
        File.WriteAllBytes(path, HostileImageCorpus.AnimatedGif(16, 12, frames: 4, corruptAfterFirst: false));

        using var image = new ImageLoader().LoadRgb(path);

        Assert.Single(image.Frames);
        Assert.Equal((16, 12), (image.Width, image.Height));
    }

    [Fact]
    public void Png_with_jpg_extension_is_read_by_its_content()
    {
        var path = Path.Combine(_folder, "really-a-png.jpg");
        File.WriteAllBytes(path, HostileImageCorpus.ValidPng(20, 10));

        var header = new ImageLoader().Identify(path);

        Assert.Equal("PNG", header.Format);
        Assert.Equal((20, 10), (header.Width, header.Height));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public void Valid_files_still_load(string kind)
    {
        var path = Path.Combine(_folder, "ok." + kind);
        File.WriteAllBytes(path, kind == "png" ? HostileImageCorpus.ValidPng(64, 48) : HostileImageCorpus.ValidJpeg(64, 48));

        using var image = new ImageLoader().Load<Rgb24>(path);

        Assert.Equal((64, 48), (image.Width, image.Height));
    }

    [Fact]
    public void Jpeg_with_a_large_trailer_after_its_end_marker_still_loads()
    {
        // Motion photos append a video after the JPEG's end-of-image marker.
        var path = Path.Combine(_folder, "motion.jpg");
        File.WriteAllBytes(path, [.. HostileImageCorpus.ValidJpeg(64, 48), .. new byte[200 * 1024]]);

        using var image = new ImageLoader().LoadRgb(path);

        Assert.Equal(64, image.Width);
    }

    [Fact]
    public void Configured_limits_are_enforced_before_decoding()
    {
        var path = Path.Combine(_folder, "medium.png");
        File.WriteAllBytes(path, HostileImageCorpus.ValidPng(300, 200));
        var loader = new ImageLoader(new ImageLimits { MaxWidth = 256 });

        var error = Assert.Throws<BadInputException>(() => loader.Identify(path));

        Assert.Contains("300x200", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocator_limit_stops_a_decode_the_caps_would_allow()
    {
        // 4000x4000 RGB24 is 48 MB of pixels: within the dimension caps, over an 8 MB allocator limit.
        var path = Path.Combine(_folder, "big.png");
        File.WriteAllBytes(path, HostileImageCorpus.PngBomb(4000, 4000));
        var loader = new ImageLoader(new ImageLimits { AllocationLimitMegabytes = 8 });

        var error = Assert.Throws<BadInputException>(() => loader.LoadRgb(path).Dispose());

        output.WriteLine(error.Message);
    }

    [Fact]
    public void Samples_all_load()
    {
        var samples = RepositoryPaths.SampleImages;
        var loader = new ImageLoader();
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(samples).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)))
        {
            using var image = loader.LoadRgb(file);
            Assert.True(image.Width > 0);
            count++;
        }
        Assert.True(count >= 7);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string caseName)
    {
        var (fileName, bytes) = HostileImageCorpus.Build()[caseName];
        var path = Path.Combine(_folder, fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
