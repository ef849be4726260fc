using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace VisionAgent.Plugins.Segment;

/// <summary>
/// Where an image lands in SAM's square input: the long side resized to <see cref="Size"/> (rounded like
/// segment-anything's <c>ResizeLongestSide.get_preprocess_shape</c>), the rest padded at the bottom and right.
/// </summary>
public sealed record SamImageFrame(int OriginalWidth, int OriginalHeight, int ResizedWidth, int ResizedHeight, int Size)
{
    public static SamImageFrame For(int width, int height, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var scale = size * 1.0 / Math.Max(width, height);
        return new SamImageFrame(width, height, (int)((width * scale) + 0.5), (int)((height * scale) + 0.5), size);
    }

    /// <summary>A point in original pixels mapped into the resized frame the decoder expects (<c>apply_coords</c>).</summary>
    public (float X, float Y) ToModel(float x, float y) =>
        ((float)(x * ((double)ResizedWidth / OriginalWidth)), (float)(y * ((double)ResizedHeight / OriginalHeight)));
}

/// <summary>Turns an image into the SAM image encoder's input tensor, in the layout the export expects.</summary>
public static class SamPreprocessor
{
    /// <summary>[1,3,S,S]: resized, (v - mean) / std per channel on 0..255, zeros (the normalised padding) bottom and right.</summary>
    public static float[] ToNchw(Image<Rgb24> image, SamImageFrame frame, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(frame);
        if (mean.Length != 3 || std.Length != 3) throw new ArgumentException("mean and std need three values (R, G, B)");
        var size = frame.Size;
        var plane = size * size;
        var tensor = new float[3 * plane];
        float mr = mean[0], mg = mean[1], mb = mean[2];
        float sr = 1f / std[0], sg = 1f / std[1], sb = 1f / std[2];
        using var resized = Resize(image, frame.ResizedWidth, frame.ResizedHeight);
        resized.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                var r = tensor.AsSpan(y * size, row.Length);
                var g = tensor.AsSpan(plane + (y * size), row.Length);
                var b = tensor.AsSpan((2 * plane) + (y * size), row.Length);
                for (var x = 0; x < row.Length; x++)
                {
                    r[x] = (row[x].R - mr) * sr;
                    g[x] = (row[x].G - mg) * sg;
                    b[x] = (row[x].B - mb) * sb;
                }
            }
        });
        return tensor;
    }

    /// <summary>[S,S,3]: resized, RGB 0..255 interleaved, zeros bottom and right (the graph normalises).</summary>
    public static float[] ToHwc(Image<Rgb24> image, SamImageFrame frame)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(frame);
        var size = frame.Size;
        var tensor = new float[size * size * 3];
        using var resized = Resize(image, frame.ResizedWidth, frame.ResizedHeight);
        resized.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                var target = tensor.AsSpan(y * size * 3, row.Length * 3);
                for (var x = 0; x < row.Length; x++)
                {
                    target[3 * x] = row[x].R;
                    target[(3 * x) + 1] = row[x].G;
                    target[(3 * x) + 2] = row[x].B;
                }
            }
        });
        return tensor;
    }

    internal static Image<Rgb24> Resize(Image<Rgb24> image, int width, int height) =>
        image.Width == width && image.Height == height
            ? image.Clone()
            : image.Clone(c => c.Resize(new ResizeOptions
            {
                Size = new Size(width, height),
                Mode = ResizeMode.Stretch,
                Sampler = KnownResamplers.Triangle,
            }));
}
