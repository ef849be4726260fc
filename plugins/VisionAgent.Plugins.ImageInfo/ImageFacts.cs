using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging;

namespace VisionAgent.Plugins.ImageInfo;

/// <summary>A colour that covers a share of the image, with a plain name.</summary>
public sealed record DominantColour(string Name, string Hex, double Share);

/// <summary>What image_info reports.</summary>
public sealed record ImageFacts
{
    public string Handle { get; init; } = "";
    public required string Format { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public double Megapixels => Width * (double)Height / 1_000_000;
    public required string ColourMode { get; init; }
    public required long FileBytes { get; init; }
    public ushort? Orientation { get; init; }
    public string? CapturedAt { get; init; }
    public required double MeanBrightness { get; init; }
    public required IReadOnlyList<DominantColour> DominantColours { get; init; }
}

/// <summary>Computes <see cref="ImageFacts"/> in one pass over the pixels.</summary>
public static class ImageFactsReader
{
    private static readonly (string Name, Rgb24 Colour)[] Palette =
    [
        ("black", new Rgb24(0, 0, 0)), ("white", new Rgb24(255, 255, 255)), ("grey", new Rgb24(128, 128, 128)),
        ("dark grey", new Rgb24(64, 64, 64)), ("light grey", new Rgb24(192, 192, 192)),
        ("red", new Rgb24(200, 30, 30)), ("dark red", new Rgb24(120, 20, 20)), ("orange", new Rgb24(240, 140, 30)),
        ("brown", new Rgb24(120, 80, 40)), ("beige", new Rgb24(220, 200, 160)), ("yellow", new Rgb24(235, 220, 40)),
        ("olive", new Rgb24(120, 120, 40)), ("green", new Rgb24(40, 160, 50)), ("dark green", new Rgb24(20, 80, 30)),
        ("teal", new Rgb24(30, 130, 130)), ("cyan", new Rgb24(60, 210, 220)), ("sky blue", new Rgb24(130, 190, 235)),
        ("blue", new Rgb24(40, 70, 200)), ("navy", new Rgb24(20, 30, 90)), ("purple", new Rgb24(120, 50, 160)),
        ("pink", new Rgb24(240, 150, 190)), ("magenta", new Rgb24(210, 50, 170)), ("tan", new Rgb24(190, 150, 110)),
    ];

    public static ImageFacts Read(string path, ImageLoader loader, CancellationToken cancellationToken)
    {
        var header = loader.Identify(path);
        using var image = loader.Load<Rgba32>(path, cancellationToken);
        var counts = new int[Palette.Length];
        double luminance = 0;
        var grey = true;
        var hasAlpha = false;
        // Sample at most about a million pixels: the facts do not need every one.
        var stride = Math.Max(1, (int)Math.Sqrt(image.Width * (double)image.Height / 1_000_000));
        long sampled = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y += stride)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x += stride)
                {
                    var p = row[x];
                    luminance += 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;
                    if (p.R != p.G || p.G != p.B) grey = false;
                    if (p.A != 255) hasAlpha = true;
                    counts[Nearest(p)]++;
                    sampled++;
                }
            }
        });

        var exif = image.Metadata.ExifProfile;
        var dominant = counts
            .Select((count, i) => (count, i))
            .Where(c => c.count > 0)
            .OrderByDescending(c => c.count)
            .Take(3)
            .Select(c => new DominantColour(Palette[c.i].Name, Hex(Palette[c.i].Colour), c.count / (double)sampled))
            .Where(c => c.Share >= 0.05)
            .ToList();
        return new ImageFacts
        {
            Format = header.Format,
            Width = header.Width,
            Height = header.Height,
            ColourMode = (grey ? "greyscale" : "colour") + (hasAlpha ? " with transparency" : "") + $" ({header.BitsPerPixel} bits per pixel)",
            FileBytes = header.FileBytes,
            Orientation = header.ExifOrientation,
            CapturedAt = exif?.GetValue(ExifTag.DateTimeOriginal)?.Value ?? exif?.GetValue(ExifTag.DateTime)?.Value,
            MeanBrightness = sampled == 0 ? 0 : luminance / sampled,
            DominantColours = dominant,
        };
    }

    private static string Hex(Rgb24 c) => FormattableString.Invariant($"#{c.R:X2}{c.G:X2}{c.B:X2}");

    private static int Nearest(Rgba32 p)
    {
        var best = 0;
        var bestDistance = int.MaxValue;
        for (var i = 0; i < Palette.Length; i++)
        {
            var c = Palette[i].Colour;
            int dr = p.R - c.R, dg = p.G - c.G, db = p.B - c.B;
            // Weighted towards green as the eye is; good enough for naming colours.
            var distance = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
    }
}
