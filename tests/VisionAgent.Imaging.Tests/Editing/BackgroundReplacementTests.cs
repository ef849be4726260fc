using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Imaging.Editing;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Imaging.Tests.Editing;

public sealed class BackgroundReplacementTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("va-background-").FullName;
    private readonly ImageLoader _loader = new();

    [Theory]
    [InlineData(3f)]
    [InlineData(12f)]
    [InlineData(60f)]
    public void Blur_made_in_stripes_is_the_blur_of_the_whole_image(float sigma)
    {
        // Tall enough for several stripes at the smaller radii, and one stripe whose margins reach past both ends at 60.
        var (path, mask) = Picture(151, 3 * BackgroundStripes.MinimumStripeRows + 37);
        using var expected = _loader.Load<Rgba32>(path);
        using (var blurred = expected.Clone(c => c.GaussianBlur(sigma)))
            Compose(expected, blurred, mask);

        using var actual = Replace(path, mask, new BackgroundOptions { Mode = BackgroundMode.Blur, BlurRadius = sigma });

        AssertSamePixels(expected, actual);
    }

    [Theory]
    [InlineData(BackgroundMode.Remove, 0, 0, 0, 0)]
    [InlineData(BackgroundMode.Color, 10, 20, 30, 255)]
    public void Flat_background_fills_every_pixel_outside_and_the_subject_keeps_its_pixels_and_alpha(BackgroundMode mode, byte r, byte g, byte b, byte a)
    {
        var (path, mask) = Picture(90, 300);
        using var source = _loader.Load<Rgba32>(path);

        using var actual = Replace(path, mask, new BackgroundOptions { Mode = mode, Color = new EditColor(r, g, b) });

        for (var y = 0; y < source.Height; y++)
        {
            for (var x = 0; x < source.Width; x++)
                Assert.Equal(mask[x, y] ? source[x, y] : new Rgba32(r, g, b, a), actual[x, y]);
        }
    }

    [Fact]
    public void A_mask_of_another_size_is_scaled_to_the_image()
    {
        var (path, _) = Picture(80, 60);
        var half = BinaryMask.FromBox(40, 30, new Abstractions.PixelBox(0, 0, 20, 30));

        using var actual = Replace(path, half, new BackgroundOptions { Mode = BackgroundMode.Remove });

        Assert.Equal(255, actual[10, 10].A);
        Assert.Equal(0, actual[70, 10].A);
    }

    private Image<Rgba32> Replace(string path, BinaryMask mask, BackgroundOptions options)
    {
        var output = Path.Combine(_folder, $"out-{Guid.NewGuid():N}.png");
        var edited = ImageEdits.ReplaceBackground(path, mask, options, output, _loader);
        return Image.Load<Rgba32>(output);
    }

    // Texture with edges in both directions, an elliptical subject with a half-transparent patch at its centre.
    private (string Path, BinaryMask Mask) Picture(int width, int height)
    {
        using var image = new Image<Rgba32>(width, height);
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var stripe = ((x / 7) + (y / 5)) % 2 == 0;
                image[x, y] = new Rgba32((byte)(x * 255 / width), (byte)(stripe ? 220 : 30), (byte)(y * 255 / height), (byte)(Math.Abs(x - (width / 2)) < 5 && Math.Abs(y - (height / 2)) < 5 ? 128 : 255));
                var (dx, dy) = ((x - (width / 2.0)) / (width / 3.0), (y - (height / 2.0)) / (height / 3.0));
                if ((dx * dx) + (dy * dy) < 1) pixels[(y * width) + x] = BinaryMask.Inside;
            }
        }
        var path = Path.Combine(_folder, $"in-{width}x{height}.png");
        image.SaveAsPng(path);
        return (path, new BinaryMask(width, height, pixels));
    }

    private static void Compose(Image<Rgba32> image, Image<Rgba32> background, BinaryMask mask)
    {
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (!mask[x, y]) image[x, y] = background[x, y];
            }
        }
    }

    private static void AssertSamePixels(Image<Rgba32> expected, Image<Rgba32> actual)
    {
        Assert.Equal(expected.Size(), actual.Size());
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                if (expected[x, y] != actual[x, y])
                    Assert.Fail($"pixel ({x},{y}) is {actual[x, y]}, the whole-image blur gives {expected[x, y]}");
            }
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
