using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging;

namespace VisionAgent.Testing;

/// <summary>
/// A 20000x60 strip: wider than the default 16384-pixel limit, accepted only when the host's <c>images:</c> settings
/// raise it (<see cref="Limits"/>, as <c>images: {max_width: 30000}</c> does). Every expert must read it through the
/// host's loader, never its own.
/// </summary>
public static class WideStrip
{
    public const int Width = 20_000;
    public const int Height = 60;

    public static ImageLimits Limits { get; } = ImageLimits.Default with { MaxWidth = 30_000 };

    /// <summary>Writes the strip (a red left half, a green right half) and returns its path.</summary>
    public static string Write(string path)
    {
        using var image = new Image<Rgb24>(Width, Height, new Rgb24(0, 160, 0));
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++) rows.GetRowSpan(y)[..(Width / 2)].Fill(new Rgb24(200, 0, 0));
        });
        image.SaveAsPng(path);
        return path;
    }
}
