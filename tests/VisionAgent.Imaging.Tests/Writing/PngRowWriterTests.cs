using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging.Writing;
using VisionAgent.Testing;

namespace VisionAgent.Imaging.Tests.Writing;

public sealed class PngRowWriterTests : IDisposable
{
    private readonly TestExpertHost _host = new();

    [Theory]
    [InlineData(PngRowFormat.Grey, 1, 1)]
    [InlineData(PngRowFormat.Rgb, 37, 23)]
    [InlineData(PngRowFormat.Rgba, 64, 9)]
    // Wide enough that the deflated rows span several IDAT chunks.
    [InlineData(PngRowFormat.Rgb, 700, 120)]
    public void Rows_read_back_exactly(PngRowFormat format, int width, int height)
    {
        var channels = format switch { PngRowFormat.Grey => 1, PngRowFormat.Rgb => 3, _ => 4 };
        var random = new Random(width * height);
        // Noise, flat runs and gradients, so every filter type wins somewhere.
        var pixels = new byte[width * height * channels];
        for (var i = 0; i < pixels.Length; i++)
        {
            var x = i / channels % width;
            pixels[i] = (i / channels / width % 3) switch { 0 => (byte)random.Next(256), 1 => (byte)(x * 7), _ => 200 };
        }
        var path = _host.PathFor($"rows-{format}-{width}x{height}.png");

        using (var stream = File.Create(path))
        using (var png = new PngRowWriter(stream, width, height, format))
        {
            for (var y = 0; y < height; y++) png.WriteRow(pixels.AsSpan(y * width * channels, width * channels));
            png.Complete();
        }

        using var decoded = Image.Load<Rgba32>(path);
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var at = ((y * width) + x) * channels;
                var expected = format switch
                {
                    PngRowFormat.Grey => new Rgba32(pixels[at], pixels[at], pixels[at], 255),
                    PngRowFormat.Rgb => new Rgba32(pixels[at], pixels[at + 1], pixels[at + 2], 255),
                    _ => new Rgba32(pixels[at], pixels[at + 1], pixels[at + 2], pixels[at + 3]),
                };
                Assert.Equal(expected, decoded[x, y]);
            }
        }
    }

    [Fact]
    public void Wrong_row_length_and_missing_rows_are_refused()
    {
        using var stream = new MemoryStream();
        using var png = new PngRowWriter(stream, 4, 2, PngRowFormat.Rgb);

        Assert.Throws<ArgumentException>(() => png.WriteRow(new byte[11]));
        png.WriteRow(new byte[12]);
        Assert.Throws<InvalidOperationException>(png.Complete);
        png.WriteRow(new byte[12]);
        Assert.Throws<InvalidOperationException>(() => png.WriteRow(new byte[12]));
    }

    public void Dispose() => _host.Dispose();
}
