using System.Diagnostics;
using System.IO.Pipes;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using Xunit.Abstractions;

namespace VisionAgent.Imaging.Tests;

/// <summary>Files that are small on disk but cost a decoder minutes or gigabytes, and files cut short inside a chunk.</summary>
public sealed class BoundedDecodingTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-bounded-").FullName;

    [Theory]
    [InlineData("zTXt")]
    [InlineData("iTXt")]
    [InlineData("iCCP")]
    public void Png_metadata_that_inflates_to_a_gibibyte_is_never_inflated(string chunkType)
    {
        var path = Write($"bomb-{chunkType}.png", HostileContainerFiles.PngWithCompressedMetadata(chunkType, 1, 1L << 30));

        AssertLoadsCheaply(path, 32, 16 * 1024 * 1024, $"{chunkType} inflating to 1 GiB");
    }

    [Fact]
    public void Two_thousand_compressed_text_chunks_cost_nothing()
    {
        var path = Write("many-text.png", HostileContainerFiles.PngWithCompressedMetadata("zTXt", 2000, 512 * 1024));

        var (elapsed, allocated) = Measure(() =>
        {
            var header = new ImageLoader().Identify(path);
            Assert.Equal(32, header.Width);
            using var image = new ImageLoader().LoadRgb(path);
        });

        output.WriteLine($"2000 zTXt chunks (1 GB inflated), file {new FileInfo(path).Length / 1024} KiB: {elapsed.TotalMilliseconds:0} ms, {allocated / 1024} KiB allocated");
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.True(allocated < 16 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Jpeg_with_ten_thousand_scans_is_refused_before_decoding()
    {
        var path = Write("scans.jpg", HostileContainerFiles.JpegWithRepeatedScans(64, 64, 10_000));

        var stopwatch = Stopwatch.StartNew();
        var error = Assert.Throws<BadInputException>(() => new ImageLoader().LoadRgb(path).Dispose());

        output.WriteLine($"10000 scans, file {new FileInfo(path).Length / 1024} KiB: {stopwatch.ElapsedMilliseconds} ms: {error.Message}");
        Assert.Contains($"more than {ImageStructure.MaxJpegScans} scans for its size", error.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < Bound, $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Jpeg_with_as_many_scans_as_allowed_still_loads()
    {
        var path = Write("scans-at-cap.jpg", HostileContainerFiles.JpegWithRepeatedScans(64, 48, ImageStructure.MaxJpegScans));

        using var image = new ImageLoader().LoadRgb(path);

        Assert.Equal(64, image.Width);
    }

    [Fact]
    public void A_large_jpeg_gets_fewer_scans()
    {
        var path = Write("large-scans.jpg", HostileContainerFiles.JpegWithRepeatedScans(64, 48, ImageStructure.MinJpegScans + 1));
        var bytes = File.ReadAllBytes(path);
        var frame = HostileContainerFiles.FindMarker(bytes, 0xC0);
        // Declare 8000x8000: the scan budget allows the minimum only, so the walk refuses before any decode.
        bytes[frame + 5] = 8000 >> 8;
        bytes[frame + 6] = 8000 & 0xFF;
        bytes[frame + 7] = 8000 >> 8;
        bytes[frame + 8] = 8000 & 0xFF;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<BadInputException>(() => new ImageLoader().Identify(path));

        Assert.Equal(ImageStructure.MinJpegScans, ImageStructure.AllowedJpegScans(8000L * 8000));
        Assert.Contains($"more than {ImageStructure.MinJpegScans} scans for its size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_icc_segments_are_cut_out_and_the_image_loads_quickly()
    {
        var path = Write("icc.jpg", HostileContainerFiles.JpegWithSegments(0xE2, 400, 65_000, HostileContainerFiles.IccIdentifier));

        AssertLoadsCheaply(path, 48, 8 * 1024 * 1024, "400 ICC segments");
    }

    [Fact]
    public void Jpeg_with_more_segments_than_allowed_is_refused()
    {
        var path = Write("segments.jpg", HostileContainerFiles.JpegWithSegments(0xEB, ImageStructure.MaxJpegSegments + 1, 4, "junk"u8));

        var error = Assert.Throws<BadInputException>(() => new ImageLoader().Identify(path));

        Assert.Contains($"more than {ImageStructure.MaxJpegSegments} segments", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jpeg_exif_orientation_survives_the_cut()
    {
        var path = Write("oriented.jpg", HostileContainerFiles.JpegWithSegments(0xE2, 3, 1000, HostileContainerFiles.IccIdentifier));
        var oriented = Write("oriented6.jpg", HostileContainerFiles.OrientedJpeg(64, 32, 6));

        Assert.Null(new ImageLoader().Identify(path).ExifOrientation);
        Assert.Equal((ushort)6, new ImageLoader().Identify(oriented).ExifOrientation);
    }

    [Fact]
    public void Valid_lossy_webp_loads()
    {
        var path = Write("ok.webp", HostileContainerFiles.LossyWebp(64, 48));

        using var image = new ImageLoader().LoadRgb(path);

        Assert.Equal((64, 48), (image.Width, image.Height));
    }

    [Fact]
    public void Webp_whose_image_chunk_runs_past_the_end_of_the_file_is_refused()
    {
        var webp = HostileContainerFiles.LossyWebp(64, 48);
        var path = Write("cut.webp", HostileContainerFiles.TruncatedWebp(webp, webp.Length * 2 / 3));

        var error = Assert.Throws<BadInputException>(() => new ImageLoader().LoadRgb(path).Dispose());

        Assert.Contains("VP8 chunk runs past the end of the file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Webp_cut_inside_its_first_partition_is_refused_even_with_consistent_chunk_sizes()
    {
        var webp = HostileContainerFiles.LossyWebp(64, 48);
        var path = Write("cut-consistent.webp", HostileContainerFiles.TruncatedWebpWithConsistentChunk(webp, 40));

        var error = Assert.Throws<BadInputException>(() => new ImageLoader().LoadRgb(path).Dispose());

        Assert.Contains("first partition", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 64, 32)]
    [InlineData(2, 64, 32)]
    [InlineData(3, 64, 32)]
    [InlineData(4, 64, 32)]
    [InlineData(5, 32, 64)]
    [InlineData(6, 32, 64)]
    [InlineData(7, 32, 64)]
    [InlineData(8, 32, 64)]
    public void Every_size_is_the_displayed_size(ushort orientation, int width, int height)
    {
        var path = Write($"orientation{orientation}.jpg", HostileContainerFiles.OrientedJpeg(64, 32, orientation));
        var loader = new ImageLoader();

        var header = loader.Identify(path);
        using var image = loader.LoadRgb(path);
        var record = new ImageHandleStore(Path.Combine(_folder, "out"), loader).AddInput(path);

        Assert.Equal((width, height), (header.Width, header.Height));
        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal((width, height), (record.Width, record.Height));
    }

    [Fact]
    public void A_pipe_is_refused_and_its_bytes_are_left_unread()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var png = HostileImageCorpus.ValidPng(8, 8);
        server.Write(png);
        server.Flush();
        var path = $"/proc/self/fd/{client.SafePipeHandle.DangerousGetHandle()}";

        var error = Assert.Throws<BadInputException>(() => new ImageLoader().Identify(path));

        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
        var first = new byte[8];
        client.ReadExactly(first);
        Assert.Equal(HostileImageCorpus.PngSignature, first);
    }

    [Fact]
    public void Cancelling_a_decode_returns_at_once()
    {
        var path = Write("slow.jpg", HostileContainerFiles.JpegWithRepeatedScans(1600, 1200, 90));
        var loader = new ImageLoader();
        var full = Stopwatch.StartNew();
        loader.LoadRgb(path).Dispose();
        full.Stop();
        // Cancel a quarter of the way into a decode as long as the one just timed, whatever the machine's speed.
        using var cancellation = new CancellationTokenSource(full.Elapsed / 4);
        var stopwatch = Stopwatch.StartNew();
        var cancelledAt = TimeSpan.Zero;
        using var registration = cancellation.Token.Register(() => cancelledAt = stopwatch.Elapsed);

        Assert.ThrowsAny<OperationCanceledException>(() => loader.LoadRgb(path, cancellation.Token).Dispose());
        var returnedAt = stopwatch.Elapsed;

        output.WriteLine($"full decode {full.ElapsedMilliseconds} ms; cancelled at {cancelledAt.TotalMilliseconds:0} ms, returned at {returnedAt.TotalMilliseconds:0} ms");
        Assert.True(full.ElapsedMilliseconds > 400, $"the decode took only {full.ElapsedMilliseconds} ms: nothing to cancel");
        // Timed from the cancellation itself (a loaded machine fires timers late), against the decode it abandons.
        Assert.True(returnedAt - cancelledAt < full.Elapsed / 3, $"returned {(returnedAt - cancelledAt).TotalMilliseconds:0} ms after the cancellation; the decode takes {full.ElapsedMilliseconds} ms");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private void AssertLoadsCheaply(string path, int width, long allocationBound, string what)
    {
        var (elapsed, allocated) = Measure(() =>
        {
            using var image = new ImageLoader().LoadRgb(path);
            Assert.Equal(width, image.Width);
        });

        output.WriteLine($"{what}, file {new FileInfo(path).Length / 1024} KiB: {elapsed.TotalMilliseconds:0} ms, {allocated / 1024} KiB allocated");
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.True(allocated < allocationBound, $"allocated {allocated} bytes");
    }

    private static (TimeSpan Elapsed, long Allocated) Measure(Action action)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        action();
        stopwatch.Stop();
        return (stopwatch.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - before);
    }
}
