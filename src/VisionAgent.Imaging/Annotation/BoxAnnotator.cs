using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;
using VisionAgent.Abstractions;

namespace VisionAgent.Imaging.Annotation;

/// <summary>A box to draw with its caption; boxes with the same colour index share a colour.</summary>
public sealed record AnnotationBox(PixelBox Box, string Label, int ColorIndex);

/// <summary>
/// Draws labelled boxes onto a copy of an image and writes a PNG. Text is rendered with the DejaVu Sans font
/// embedded in this assembly, so the output does not depend on the fonts a machine has installed.
/// </summary>
public static class BoxAnnotator
{
    private static readonly Lazy<SKTypeface> Typeface = new(LoadTypeface);

    // A qualitative palette with enough contrast against photos and white text.
    private static readonly SKColor[] Palette =
    [
        new(0xE6, 0x19, 0x4B), new(0x3C, 0xB4, 0x4B), new(0x43, 0x63, 0xD8), new(0xF5, 0x82, 0x31),
        new(0x91, 0x1E, 0xB4), new(0x00, 0x80, 0x80), new(0xF0, 0x32, 0xE6), new(0x9A, 0x63, 0x24),
        new(0x80, 0x00, 0x00), new(0x00, 0x00, 0x75), new(0x80, 0x80, 0x00), new(0x46, 0xF0, 0xF0),
    ];

    public static SKColor ColorFor(int index) => Palette[((index % Palette.Length) + Palette.Length) % Palette.Length];

    /// <summary>Draws <paramref name="boxes"/> on <paramref name="image"/> (left unchanged) and writes a PNG to <paramref name="outputPath"/>.</summary>
    public static void DrawToPng(Image<Rgb24> image, IReadOnlyList<AnnotationBox> boxes, string outputPath)
    {
        using var bitmap = ToBitmap(image);
        Draw(bitmap, boxes);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new VisionAgentException($"could not encode the annotated image {outputPath}");
        OutputFile.Write(outputPath, encoded.SaveTo);
    }

    private static void Draw(SKBitmap bitmap, IReadOnlyList<AnnotationBox> boxes)
    {
        using var canvas = new SKCanvas(bitmap);
        var shortSide = Math.Min(bitmap.Width, bitmap.Height);
        var stroke = Math.Max(2f, shortSide / 250f);
        using var font = new SKFont(Typeface.Value, Math.Clamp(shortSide / 32f, 11f, 40f));
        using var boxPaint = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = stroke, IsAntialias = true };
        using var fillPaint = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
        using var textPaint = new SKPaint { Color = SKColors.White, IsAntialias = true };
        font.GetFontMetrics(out var metrics);
        var textHeight = metrics.Descent - metrics.Ascent;
        var padding = MathF.Ceiling(font.Size / 5f);

        foreach (var item in boxes)
        {
            var color = ColorFor(item.ColorIndex);
            var box = item.Box.ClampTo(bitmap.Width, bitmap.Height);
            boxPaint.Color = color;
            canvas.DrawRect(SKRect.Create(box.X1, box.Y1, box.Width, box.Height), boxPaint);
            if (item.Label.Length == 0) continue;

            var textWidth = font.MeasureText(item.Label);
            var labelHeight = textHeight + (2 * padding);
            // Above the box when there is room, else just inside its top edge.
            var top = box.Y1 - labelHeight >= 0 ? box.Y1 - labelHeight : box.Y1;
            var left = Math.Min(box.X1, Math.Max(0, bitmap.Width - textWidth - (2 * padding)));
            fillPaint.Color = color;
            canvas.DrawRect(SKRect.Create(left, top, textWidth + (2 * padding), labelHeight), fillPaint);
            canvas.DrawText(item.Label, left + padding, top + padding - metrics.Ascent, SKTextAlign.Left, font, textPaint);
        }
        canvas.Flush();
    }

    private static SKBitmap ToBitmap(Image<Rgb24> image)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var bitmap = new SKBitmap(info);
        var count = image.Width * image.Height;
        var rgb = ArrayPool<Rgb24>.Shared.Rent(count);
        var rgba = ArrayPool<byte>.Shared.Rent(count * 4);
        try
        {
            image.CopyPixelDataTo(rgb.AsSpan(0, count));
            for (var i = 0; i < count; i++)
            {
                var p = rgb[i];
                rgba[4 * i] = p.R;
                rgba[(4 * i) + 1] = p.G;
                rgba[(4 * i) + 2] = p.B;
                rgba[(4 * i) + 3] = 255;
            }
            // Rows are tightly packed in an Rgba8888 bitmap of this width unless Skia pads them.
            var rowBytes = bitmap.RowBytes;
            var pixels = bitmap.GetPixels();
            for (var y = 0; y < image.Height; y++)
                Marshal.Copy(rgba, y * image.Width * 4, pixels + (y * rowBytes), image.Width * 4);
        }
        finally
        {
            ArrayPool<Rgb24>.Shared.Return(rgb);
            ArrayPool<byte>.Shared.Return(rgba);
        }
        bitmap.NotifyPixelsChanged();
        return bitmap;
    }

    private static SKTypeface LoadTypeface()
    {
        const string name = "VisionAgent.Imaging.Annotation.DejaVuSans.ttf";
        using var stream = typeof(BoxAnnotator).Assembly.GetManifestResourceStream(name)
            ?? throw new VisionAgentException($"the annotation font {name} is missing from the assembly");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data)
            ?? throw new VisionAgentException("the embedded annotation font could not be read");
    }
}
