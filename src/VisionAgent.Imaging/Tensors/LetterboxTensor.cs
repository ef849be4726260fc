using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace VisionAgent.Imaging.Tensors;

/// <summary>
/// Where a letterboxed image sits in the model's input: the scale applied to the source and the padding
/// before it. Maps model-input coordinates back to source pixels.
/// </summary>
public sealed record LetterboxGeometry(
    int SourceWidth, int SourceHeight, int TargetWidth, int TargetHeight,
    float Scale, int ResizedWidth, int ResizedHeight, int PadLeft, int PadTop)
{
    /// <summary>The source-pixel x of a model-input x.</summary>
    public float ToSourceX(float x) => (x - PadLeft) / Scale;

    public float ToSourceY(float y) => (y - PadTop) / Scale;

    /// <summary>
    /// The geometry Ultralytics' LetterBox(auto=False, center=True, scaleup=True) uses: one scale for both
    /// axes, sizes rounded half to even, padding split with the left/top side rounded from (d/2 - 0.1).
    /// </summary>
    public static LetterboxGeometry For(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight)
    {
        var scale = Math.Min((double)targetHeight / sourceHeight, (double)targetWidth / sourceWidth);
        var resizedWidth = Math.Clamp((int)Math.Round(sourceWidth * scale), 1, targetWidth);
        var resizedHeight = Math.Clamp((int)Math.Round(sourceHeight * scale), 1, targetHeight);
        var padLeft = (int)Math.Round(((targetWidth - resizedWidth) / 2.0) - 0.1);
        var padTop = (int)Math.Round(((targetHeight - resizedHeight) / 2.0) - 0.1);
        return new LetterboxGeometry(sourceWidth, sourceHeight, targetWidth, targetHeight, (float)scale,
            resizedWidth, resizedHeight, Math.Max(0, padLeft), Math.Max(0, padTop));
    }
}

/// <summary>Image to the planar RGB float tensor YOLO-family detectors take: letterboxed, grey padding, 0..1.</summary>
public static class LetterboxTensor
{
    /// <summary>Grey 114 is what Ultralytics pads with during training and export.</summary>
    public const byte DefaultPadding = 114;

    /// <summary>
    /// Writes the image into <paramref name="chw"/> (3 x height x width, RGB, values/255) and returns where it landed.
    /// The source image is not changed.
    /// </summary>
    public static LetterboxGeometry Fill(Image<Rgb24> image, int width, int height, Span<float> chw, byte padding = DefaultPadding)
    {
        var plane = width * height;
        if (chw.Length < 3 * plane)
            throw new ArgumentException($"the tensor needs {3 * plane} floats, not {chw.Length}", nameof(chw));
        var geometry = LetterboxGeometry.For(image.Width, image.Height, width, height);
        chw[..(3 * plane)].Fill(padding / 255f);

        using var resized = geometry.ResizedWidth == image.Width && geometry.ResizedHeight == image.Height
            ? image.Clone()
            : image.Clone(x => x.Resize(new ResizeOptions
            {
                Size = new Size(geometry.ResizedWidth, geometry.ResizedHeight),
                Mode = ResizeMode.Stretch,
                Sampler = KnownResamplers.Triangle,
            }));
        CopyRows(resized, chw, width, plane, geometry.PadLeft, geometry.PadTop);
        return geometry;
    }

    /// <summary>Allocates the tensor and fills it.</summary>
    public static (float[] Tensor, LetterboxGeometry Geometry) Create(Image<Rgb24> image, int width, int height, byte padding = DefaultPadding)
    {
        var tensor = new float[3 * width * height];
        var geometry = Fill(image, width, height, tensor, padding);
        return (tensor, geometry);
    }

    private static void CopyRows(Image<Rgb24> resized, Span<float> tensor, int width, int plane, int left, int top)
    {
        const float inv = 1f / 255f;
        var count = resized.Width * resized.Height;
        var pixels = ArrayPool<Rgb24>.Shared.Rent(count);
        try
        {
            resized.CopyPixelDataTo(pixels.AsSpan(0, count));
            var red = tensor[..plane];
            var green = tensor.Slice(plane, plane);
            var blue = tensor.Slice(2 * plane, plane);
            for (var y = 0; y < resized.Height; y++)
            {
                var row = pixels.AsSpan(y * resized.Width, resized.Width);
                var offset = ((top + y) * width) + left;
                for (var x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    red[offset + x] = p.R * inv;
                    green[offset + x] = p.G * inv;
                    blue[offset + x] = p.B * inv;
                }
            }
        }
        finally
        {
            ArrayPool<Rgb24>.Shared.Return(pixels);
        }
    }
}
