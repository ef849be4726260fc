using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Imaging.Editing;

namespace VisionAgent.Imaging;

/// <summary>Small previews of images for reports: PNG bytes, transparency kept, never enlarged.</summary>
public static class Thumbnails
{
    /// <summary>The image scaled to fit <paramref name="maxSide"/> pixels on its longer side, as PNG bytes.</summary>
    public static byte[] Png(string path, int maxSide, ImageLoader loader)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        using var image = loader.Load<Rgba32>(path);
        var scale = Math.Min(1.0, maxSide / (double)Math.Max(image.Width, image.Height));
        if (scale < 1.0)
        {
            var width = Math.Max(1, (int)Math.Round(image.Width * scale));
            var height = Math.Max(1, (int)Math.Round(image.Height * scale));
            image.Mutate(c => c.Resize(width, height, KnownResamplers.Triangle));
        }
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, EditPng.Encoder);
        return stream.ToArray();
    }
}
