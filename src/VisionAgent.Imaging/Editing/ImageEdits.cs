using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Masks;
using VisionAgent.Imaging.Writing;

namespace VisionAgent.Imaging.Editing;

/// <summary>How <see cref="ImageEdits.ReplaceBackground"/> treats the pixels outside the foreground mask.</summary>
public enum BackgroundMode
{
    /// <summary>Transparent (RGBA PNG).</summary>
    Remove,
    Blur,
    Color,
    Image,
}

/// <summary>An opaque colour, parsed from a name (white, skyblue) or hex (#87ceeb).</summary>
public readonly record struct EditColor(byte R, byte G, byte B)
{
    public static bool TryParse(string text, out EditColor color)
    {
        color = default;
        if (!Color.TryParse(text.Trim(), out var parsed)) return false;
        var pixel = parsed.ToPixel<Rgba32>();
        color = new EditColor(pixel.R, pixel.G, pixel.B);
        return true;
    }

    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}

/// <summary>Options for a background replacement; <see cref="BackgroundImagePath"/> is used by <see cref="BackgroundMode.Image"/>.</summary>
public sealed record BackgroundOptions
{
    public BackgroundMode Mode { get; init; } = BackgroundMode.Blur;
    public EditColor Color { get; init; } = new(255, 255, 255);

    /// <summary>The Gaussian sigma in pixels.</summary>
    public float BlurRadius { get; init; } = 12f;

    public string? BackgroundImagePath { get; init; }
}

/// <summary>What an edit wrote.</summary>
public sealed record EditedImage(string Path, int Width, int Height);

/// <summary>
/// Edits that need no generative model: background replacement, crop, resize, rotate and colour adjustment.
/// Every edit reads through the guarded <see cref="ImageLoader"/> and writes a PNG.
/// </summary>
public static class ImageEdits
{
    /// <summary>
    /// Keeps the foreground (selected) pixels exactly and replaces every other pixel. Besides the decoded image, only
    /// a stripe of the background is held at a time (a blurred stripe is made from the image rows around it), and the
    /// PNG is written row by row; only mode image holds its replacement resized to the full size.
    /// </summary>
    public static EditedImage ReplaceBackground(string imagePath, BinaryMask foreground, BackgroundOptions options, string outputPath, ImageLoader loader)
    {
        ArgumentNullException.ThrowIfNull(foreground);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loader);
        using var image = loader.Load<Rgba32>(imagePath);
        var mask = foreground.ResizeNearest(image.Width, image.Height);
        using var background = BackgroundStripes.Create(image, options, loader);
        OutputFile.Write(outputPath, stream =>
        {
            using var png = new PngRowWriter(stream, image.Width, image.Height, PngRowFormat.Rgba);
            var row = new byte[png.RowBytes];
            var pixels = MemoryMarshal.Cast<byte, Rgba32>(row.AsSpan());
            for (var y = 0; y < image.Height; y++)
            {
                var backgroundRow = background.Row(y);
                var inside = mask.Row(y);
                image.DangerousGetPixelRowMemory(y).Span.CopyTo(pixels);
                for (var x = 0; x < pixels.Length; x++)
                {
                    if (inside[x] == 0) pixels[x] = backgroundRow[x];
                }
                png.WriteRow(row);
            }
            png.Complete();
        });
        return new EditedImage(outputPath, image.Width, image.Height);
    }

    /// <summary>Crops to the box (clamped to the image); throws <see cref="BadInputException"/> when nothing is left.</summary>
    public static EditedImage Crop(string imagePath, PixelBox box, string outputPath, ImageLoader loader)
    {
        using var image = loader.Load<Rgba32>(imagePath);
        var clamped = box.ClampTo(image.Width, image.Height);
        var x = (int)MathF.Floor(clamped.X1);
        var y = (int)MathF.Floor(clamped.Y1);
        var width = (int)MathF.Ceiling(clamped.X2) - x;
        var height = (int)MathF.Ceiling(clamped.Y2) - y;
        if (width <= 0 || height <= 0)
            throw new BadInputException($"crop box {box} lies outside the {image.Width}x{image.Height} image");
        image.Mutate(c => c.Crop(new Rectangle(x, y, width, height)));
        OutputImage.Save(image, outputPath, EditPng.Encoder);
        return new EditedImage(outputPath, image.Width, image.Height);
    }

    public static EditedImage Resize(string imagePath, int width, int height, string outputPath, ImageLoader loader)
    {
        using var image = loader.Load<Rgba32>(imagePath);
        image.Mutate(c => c.Resize(width, height, KnownResamplers.Bicubic));
        OutputImage.Save(image, outputPath, EditPng.Encoder);
        return new EditedImage(outputPath, image.Width, image.Height);
    }

    /// <summary>Rotates clockwise; the canvas grows to hold the whole image and new corners are transparent.</summary>
    public static EditedImage Rotate(string imagePath, float degrees, string outputPath, ImageLoader loader)
    {
        using var image = loader.Load<Rgba32>(imagePath);
        var normalized = ((degrees % 360) + 360) % 360;
        image.Mutate(c =>
        {
            // Quarter turns are exact pixel moves; other angles resample.
            switch (normalized)
            {
                case 0: break;
                case 90: c.Rotate(RotateMode.Rotate90); break;
                case 180: c.Rotate(RotateMode.Rotate180); break;
                case 270: c.Rotate(RotateMode.Rotate270); break;
                default: c.Rotate(normalized, KnownResamplers.Bicubic); break;
            }
        });
        OutputImage.Save(image, outputPath, EditPng.Encoder);
        return new EditedImage(outputPath, image.Width, image.Height);
    }

    /// <summary>Brightness, contrast and saturation as factors: 1 leaves the image unchanged, 1.2 is 20% more.</summary>
    public static EditedImage Adjust(string imagePath, float brightness, float contrast, float saturation, string outputPath, ImageLoader loader)
    {
        using var image = loader.Load<Rgba32>(imagePath);
        image.Mutate(c =>
        {
            if (brightness != 1f) c.Brightness(brightness);
            if (contrast != 1f) c.Contrast(contrast);
            if (saturation != 1f) c.Saturate(saturation);
        });
        OutputImage.Save(image, outputPath, EditPng.Encoder);
        return new EditedImage(outputPath, image.Width, image.Height);
    }
}
