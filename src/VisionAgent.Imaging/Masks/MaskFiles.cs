using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

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
/// mask PNG back, so a mask handle produced by one expert is an input to another.
/// </summary>
public static class MaskFiles
{
    private static readonly PngEncoder GreyEncoder = new() { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 };
    private static readonly PngEncoder RgbaEncoder = new() { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit8 };
    private static readonly PngEncoder RgbEncoder = new() { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 };

    /// <summary>Writes the mask as an 8-bit greyscale PNG: white inside, black outside.</summary>
    public static void SaveMask(BinaryMask mask, string path)
    {
        ArgumentNullException.ThrowIfNull(mask);
        using var image = Image.LoadPixelData<L8>(mask.Pixels, mask.Width, mask.Height);
        OutputImage.Save(image, path, GreyEncoder);
    }

    /// <summary>Writes an RGBA PNG of the image with every pixel outside the mask fully transparent.</summary>
    public static void SaveCutout(Image<Rgb24> image, BinaryMask mask, string path)
    {
        CheckSameSize(image, mask);
        using var cutout = new Image<Rgba32>(image.Width, image.Height);
        image.ProcessPixelRows(cutout, (source, target) =>
        {
            for (var y = 0; y < source.Height; y++)
            {
                var from = source.GetRowSpan(y);
                var to = target.GetRowSpan(y);
                var inside = mask.Row(y);
                for (var x = 0; x < from.Length; x++)
                {
                    var p = from[x];
                    to[x] = inside[x] != 0 ? new Rgba32(p.R, p.G, p.B, 255) : default;
                }
            }
        });
        OutputImage.Save(cutout, path, RgbaEncoder);
    }

    /// <summary>Writes an RGB PNG of the image with the mask tinted over it and outlined.</summary>
    public static void SaveOverlay(Image<Rgb24> image, BinaryMask mask, string path, MaskOverlayStyle? style = null)
    {
        CheckSameSize(image, mask);
        style ??= MaskOverlayStyle.Default;
        var outline = Outline(mask, style.OutlineWidth);
        var alpha = Math.Clamp(style.Opacity, 0f, 1f);
        using var overlay = image.Clone();
        overlay.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                var inside = mask.Row(y);
                var edge = outline.AsSpan(y * mask.Width, mask.Width);
                for (var x = 0; x < row.Length; x++)
                {
                    if (edge[x]) row[x] = style.Outline;
                    else if (inside[x] != 0) row[x] = Blend(row[x], style.Tint, alpha);
                }
            }
        });
        OutputImage.Save(overlay, path, RgbEncoder);
    }

    /// <summary>
    /// Reads a mask PNG (or a cut-out's alpha) back: a pixel is inside when its channel value is at least 128.
    /// Goes through <paramref name="loader"/> (the guarded loader by default).
    /// </summary>
    public static BinaryMask LoadMask(string path, MaskChannel channel = MaskChannel.Auto, ImageLoader? loader = null)
    {
        using var image = (loader ?? ImageLoader.Shared).Load<Rgba32>(path);
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
                    var p = row[x];
                    var value = useAlpha ? p.A : ((p.R * 299) + (p.G * 587) + (p.B * 114)) / 1000;
                    if (value >= 128) target[x] = BinaryMask.Inside;
                }
            }
        });
        return new BinaryMask(image.Width, image.Height, pixels);
    }

    private static bool HasTransparency(Image<Rgba32> image)
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

    /// <summary>Inside pixels within <paramref name="width"/> steps of the outside (4-neighbour distance), image borders excluded.</summary>
    private static bool[] Outline(BinaryMask mask, int width)
    {
        int w = mask.Width, h = mask.Height;
        var result = new bool[w * h];
        if (width <= 0) return result;
        var pixels = mask.Pixels;
        var frontier = new List<int>();
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = (y * w) + x;
                if (pixels[i] == 0) continue;
                if ((x > 0 && pixels[i - 1] == 0) || (x < w - 1 && pixels[i + 1] == 0) ||
                    (y > 0 && pixels[i - w] == 0) || (y < h - 1 && pixels[i + w] == 0))
                {
                    result[i] = true;
                    frontier.Add(i);
                }
            }
        }
        for (var step = 1; step < width && frontier.Count > 0; step++)
        {
            var next = new List<int>();
            foreach (var i in frontier)
            {
                int x = i % w, y = i / w;
                Span<int> neighbours = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1];
                foreach (var j in neighbours)
                {
                    if (j < 0 || pixels[j] == 0 || result[j]) continue;
                    result[j] = true;
                    next.Add(j);
                }
            }
            frontier = next;
        }
        return result;
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
