using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace VisionAgent.Imaging.Preview;

/// <summary>
/// A small copy of an image for showing in a terminal: RGBA bytes (straight alpha, row-major) at a size that fits a
/// box, and the same pixels as PNG for terminals that take image files (kitty, iTerm2).
/// </summary>
public sealed class PreviewImage
{
    private PreviewImage(int width, int height, byte[] rgba)
    {
        Width = width;
        Height = height;
        Rgba = rgba;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width x Height x 4 bytes.</summary>
    public byte[] Rgba { get; }

    /// <summary>
    /// Decodes <paramref name="path"/> through the host's guarded loader and shrinks it (aspect kept, never
    /// enlarged) to fit <paramref name="maxWidth"/> x <paramref name="maxHeight"/> pixels.
    /// </summary>
    public static PreviewImage Load(ImageLoader loader, string path, int maxWidth, int maxHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeight, 1);
        using var image = loader.Load<Rgba32>(path);
        var scale = Math.Min(1.0, Math.Min((double)maxWidth / image.Width, (double)maxHeight / image.Height));
        var width = Math.Max(1, (int)Math.Round(image.Width * scale));
        var height = Math.Max(1, (int)Math.Round(image.Height * scale));
        if (width != image.Width || height != image.Height)
            image.Mutate(x => x.Resize(width, height, KnownResamplers.Box));
        var rgba = new byte[width * height * 4];
        image.CopyPixelDataTo(rgba);
        return new PreviewImage(width, height, rgba);
    }

    /// <summary>Wraps pixels already in memory (tests, generated images).</summary>
    public static PreviewImage FromRgba(int width, int height, byte[] rgba)
    {
        if (rgba.Length != width * height * 4) throw new ArgumentException($"expected {width * height * 4} bytes, got {rgba.Length}", nameof(rgba));
        return new PreviewImage(width, height, rgba);
    }

    /// <summary>The preview as a PNG file's bytes.</summary>
    public byte[] EncodePng()
    {
        using var image = Image.LoadPixelData<Rgba32>(Rgba, Width, Height);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { CompressionLevel = PngCompressionLevel.BestSpeed });
        return stream.ToArray();
    }

    /// <summary>The pixel at (x, y) blended over <paramref name="background"/> (transparent cut-outs stay readable).</summary>
    public (byte R, byte G, byte B) OpaqueAt(int x, int y, (byte R, byte G, byte B) background)
    {
        var i = (y * Width + x) * 4;
        var a = Rgba[i + 3];
        if (a == 255) return (Rgba[i], Rgba[i + 1], Rgba[i + 2]);
        return (Blend(Rgba[i], background.R, a), Blend(Rgba[i + 1], background.G, a), Blend(Rgba[i + 2], background.B, a));
    }

    private static byte Blend(byte value, byte background, byte alpha) => (byte)((value * alpha + background * (255 - alpha) + 127) / 255);
}
