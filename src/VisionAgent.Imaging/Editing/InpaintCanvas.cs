using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Imaging.Editing;

/// <summary>
/// The pixel side of diffusion inpainting: the image and mask resized to a working size that is a multiple
/// of 64 near the model's native size, as planar tensors in [-1, 1], and the generated result composited
/// back at the original size so that unselected pixels stay byte-identical to the input.
/// </summary>
public sealed class InpaintCanvas : IDisposable
{
    private readonly Image<Rgba32> _original;
    private readonly BinaryMask _mask;

    private InpaintCanvas(Image<Rgba32> original, BinaryMask mask, int width, int height)
    {
        _original = original;
        _mask = mask;
        Width = width;
        Height = height;
    }

    public int OriginalWidth => _original.Width;
    public int OriginalHeight => _original.Height;

    /// <summary>The working width: a multiple of 64.</summary>
    public int Width { get; }

    /// <summary>The working height: a multiple of 64.</summary>
    public int Height { get; }

    public static InpaintCanvas Load(string imagePath, BinaryMask mask, int nativeSize, ImageLoader loader)
    {
        var original = loader.Load<Rgba32>(imagePath);
        var (width, height) = WorkingSize(original.Width, original.Height, nativeSize);
        return new InpaintCanvas(original, mask.ResizeNearest(original.Width, original.Height), width, height);
    }

    /// <summary>
    /// Keeps the aspect ratio and about nativeSize² pixels, each side rounded to a multiple of 64
    /// and kept between 64 and 2 x nativeSize.
    /// </summary>
    public static (int Width, int Height) WorkingSize(int width, int height, int nativeSize)
    {
        var scale = Math.Sqrt((double)nativeSize * nativeSize / ((double)width * height));
        return (Round64(width * scale, nativeSize), Round64(height * scale, nativeSize));
    }

    /// <summary>The image as [1, 3, Height, Width] in [-1, 1].</summary>
    public float[] ImageTensor()
    {
        using var resized = _original.Clone(c => c.Resize(Width, Height, KnownResamplers.Bicubic));
        var tensor = new float[3 * Width * Height];
        var plane = Width * Height;
        resized.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var i = (y * Width) + x;
                    tensor[i] = (row[x].R / 127.5f) - 1f;
                    tensor[plane + i] = (row[x].G / 127.5f) - 1f;
                    tensor[(2 * plane) + i] = (row[x].B / 127.5f) - 1f;
                }
            }
        });
        return tensor;
    }

    /// <summary>The mask at the working size, binarised: 1 = repaint, 0 = keep.</summary>
    public float[] MaskTensor()
    {
        var resized = _mask.ResizeNearest(Width, Height);
        var tensor = new float[Width * Height];
        for (var i = 0; i < tensor.Length; i++) tensor[i] = resized.Pixels[i] != 0 ? 1f : 0f;
        return tensor;
    }

    /// <summary>
    /// Writes the decoded image ([1, 3, Height, Width] in [-1, 1]) resized to the original size inside the
    /// selection, and the original pixels everywhere else.
    /// </summary>
    public EditedImage Composite(ReadOnlySpan<float> decoded, string outputPath)
    {
        var plane = Width * Height;
        if (decoded.Length != 3 * plane)
            throw new ArgumentException($"decoded image has {decoded.Length} values, expected 3x{Width}x{Height}", nameof(decoded));
        var generatedPixels = new Rgba32[plane];
        for (var i = 0; i < plane; i++)
            generatedPixels[i] = new Rgba32(ToByte(decoded[i]), ToByte(decoded[plane + i]), ToByte(decoded[(2 * plane) + i]), 255);
        using var generated = Image.LoadPixelData<Rgba32>(generatedPixels, Width, Height);
        generated.Mutate(c => c.Resize(OriginalWidth, OriginalHeight, KnownResamplers.Bicubic));
        using var result = _original.Clone();
        result.ProcessPixelRows(generated, (rows, generatedRows) =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                var generatedRow = generatedRows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    if (_mask[x, y]) row[x] = generatedRow[x];
                }
            }
        });
        OutputImage.Save(result, outputPath, EditPng.Encoder);
        return new EditedImage(outputPath, result.Width, result.Height);
    }

    public void Dispose() => _original.Dispose();

    // diffusers' postprocessing: (x / 2 + 0.5) clamped to [0, 1], times 255, rounded.
    private static byte ToByte(float value) => (byte)MathF.Round(Math.Clamp((value / 2f) + 0.5f, 0f, 1f) * 255f);

    private static int Round64(double value, int nativeSize) =>
        Math.Clamp((int)Math.Round(value / 64.0) * 64, 64, Math.Max(64, 2 * nativeSize / 64 * 64));
}
