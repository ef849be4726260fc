using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Writing;

namespace VisionAgent.Imaging.Masks;

/// <summary>How an overlay preview draws a mask: a tint blended over the inside and a solid outline.</summary>
public sealed record MaskOverlayStyle
{
    public Rgb24 Tint { get; init; } = new(30, 144, 255);

    /// <summary>How much of the tint covers the inside, 0..1.</summary>
    public float Opacity { get; init; } = 0.45f;

    public Rgb24 Outline { get; init; } = new(255, 215, 0);

    /// <summary>Outline thickness in pixels, drawn just inside the mask's edge; 0 for none.</summary>
    public int OutlineWidth { get; init; } = 2;

    public static MaskOverlayStyle Default { get; } = new();
}

/// <summary>Which channel of a PNG holds a mask when reading it back.</summary>
public enum MaskChannel
{
    /// <summary>Alpha when some pixel is not opaque (a cut-out), else luminance (a mask PNG).</summary>
    Auto,
    Luminance,
    Alpha,
}

/// <summary>
/// Writes masks and what is made from them as PNG files (the mask itself, a cut-out, an overlay preview), and reads a
/// mask PNG back, so a mask handle produced by one expert is an input to another. Files are written row by row
/// (no full-size copy of the image is made) and never replace an existing file.
/// </summary>
public static class MaskFiles
{
    /// <summary>Writes the mask as an 8-bit greyscale PNG: white inside, black outside.</summary>
    public static void SaveMask(BinaryMask mask, string path)
    {
        ArgumentNullException.ThrowIfNull(mask);
        OutputFile.Write(path, stream =>
        {
            using var png = new PngRowWriter(stream, mask.Width, mask.Height, PngRowFormat.Grey);
            for (var y = 0; y < mask.Height; y++) png.WriteRow(mask.Row(y));
            png.Complete();
        });
    }

    /// <summary>Writes an RGBA PNG of the image with every pixel outside the mask fully transparent.</summary>
    public static void SaveCutout(Image<Rgb24> image, BinaryMask mask, string path)
    {
        CheckSameSize(image, mask);
        OutputFile.Write(path, stream =>
        {
            using var png = new PngRowWriter(stream, image.Width, image.Height, PngRowFormat.Rgba);
            var row = new byte[png.RowBytes];
            image.ProcessPixelRows(accessor =>
            {
                for (var y = 0; y < accessor.Height; y++)
                {
                    var from = accessor.GetRowSpan(y);
                    var inside = mask.Row(y);
                    for (var x = 0; x < from.Length; x++)
                    {
                        var p = from[x];
                        var at = 4 * x;
                        if (inside[x] != 0) (row[at], row[at + 1], row[at + 2], row[at + 3]) = (p.R, p.G, p.B, 255);
                        else (row[at], row[at + 1], row[at + 2], row[at + 3]) = (0, 0, 0, 0);
                    }
                    png.WriteRow(row);
                }
            });
            png.Complete();
        });
    }

    /// <summary>Writes an RGB PNG of the image with the mask tinted over it and outlined.</summary>
    public static void SaveOverlay(Image<Rgb24> image, BinaryMask mask, string path, MaskOverlayStyle? style = null)
    {
        CheckSameSize(image, mask);
        style ??= MaskOverlayStyle.Default;
        var alpha = Math.Clamp(style.Opacity, 0f, 1f);
        OutputFile.Write(path, stream =>
        {
            using var png = new PngRowWriter(stream, image.Width, image.Height, PngRowFormat.Rgb);
            var outline = new MaskOutline(mask, style.OutlineWidth);
            var row = new byte[png.RowBytes];
            image.ProcessPixelRows(accessor =>
            {
                var pixels = MemoryMarshal.Cast<byte, Rgb24>(row.AsSpan());
                for (var y = 0; y < accessor.Height; y++)
                {
                    accessor.GetRowSpan(y).CopyTo(pixels);
                    var inside = mask.Row(y);
                    var edge = outline.Row(y);
                    for (var x = 0; x < pixels.Length; x++)
                    {
                        if (edge[x]) pixels[x] = style.Outline;
                        else if (inside[x] != 0) pixels[x] = Blend(pixels[x], style.Tint, alpha);
                    }
                    png.WriteRow(row);
                }
            });
            png.Complete();
        });
    }

    /// <summary>
    /// Reads a mask PNG (or a cut-out's alpha) back: a pixel is inside when its channel value is at least 128.
    /// Goes through <paramref name="loader"/>, the host's guarded loader.
    /// </summary>
    public static BinaryMask LoadMask(string path, ImageLoader loader, MaskChannel channel = MaskChannel.Auto)
    {
        // Luminance and alpha are all a mask needs: two bytes a pixel instead of four.
        using var image = loader.Load<La16>(path);
        var pixels = new byte[checked(image.Width * image.Height)];
        var useAlpha = channel == MaskChannel.Alpha || (channel == MaskChannel.Auto && HasTransparency(image));
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                var target = pixels.AsSpan(y * accessor.Width, accessor.Width);
                for (var x = 0; x < row.Length; x++)
                {
                    if ((useAlpha ? row[x].A : row[x].L) >= 128) target[x] = BinaryMask.Inside;
                }
            }
        });
        return new BinaryMask(image.Width, image.Height, pixels);
    }

    private static bool HasTransparency(Image<La16> image)
    {
        var found = false;
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height && !found; y++)
            {
                foreach (var p in accessor.GetRowSpan(y))
                {
                    if (p.A == 255) continue;
                    found = true;
                    break;
                }
            }
        });
        return found;
    }

    private static Rgb24 Blend(Rgb24 under, Rgb24 over, float alpha) => new(
        (byte)((under.R * (1 - alpha)) + (over.R * alpha) + 0.5f),
        (byte)((under.G * (1 - alpha)) + (over.G * alpha) + 0.5f),
        (byte)((under.B * (1 - alpha)) + (over.B * alpha) + 0.5f));

    private static void CheckSameSize(Image<Rgb24> image, BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        if (image.Width != mask.Width || image.Height != mask.Height)
            throw new ArgumentException($"the mask ({mask.Width}x{mask.Height}) does not match the image ({image.Width}x{image.Height})", nameof(mask));
    }
}
