using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace VisionAgent.Imaging.Tensors;

/// <summary>How an image is brought to a model's input: size, resampling, rescale and per-channel mean/std.</summary>
public sealed record NormalizationOptions
{
    public int Width { get; init; } = 224;
    public int Height { get; init; } = 224;

    /// <summary>Multiplied into 0..255 values first (1/255 gives 0..1).</summary>
    public float Rescale { get; init; } = 1f / 255f;

    public float[] Mean { get; init; } = [0.5f, 0.5f, 0.5f];
    public float[] Std { get; init; } = [0.5f, 0.5f, 0.5f];

    /// <summary>PIL's resample codes as Hugging Face preprocessor configs write them: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming.</summary>
    public int Resample { get; init; } = 2;
}

/// <summary>Image to a planar RGB float tensor stretched to a fixed size and normalised, as Hugging Face image processors do.</summary>
public static class NormalizedTensor
{
    public static float[] Create(Image<Rgb24> image, NormalizationOptions options)
    {
        var tensor = new float[3 * options.Width * options.Height];
        Fill(image, options, tensor);
        return tensor;
    }

    public static void Fill(Image<Rgb24> image, NormalizationOptions options, Span<float> chw)
    {
        var plane = options.Width * options.Height;
        if (chw.Length < 3 * plane)
            throw new ArgumentException($"the tensor needs {3 * plane} floats, not {chw.Length}", nameof(chw));
        if (options.Mean.Length != 3 || options.Std.Length != 3 || options.Std.Any(s => s == 0))
            throw new ArgumentException("mean and std need three values each, std non-zero", nameof(options));

        using var resized = image.Width == options.Width && image.Height == options.Height
            ? image.Clone()
            : image.Clone(x => x.Resize(new ResizeOptions
            {
                Size = new Size(options.Width, options.Height),
                Mode = ResizeMode.Stretch,
                Sampler = Sampler(options.Resample),
            }));
        var pixels = ArrayPool<Rgb24>.Shared.Rent(plane);
        try
        {
            resized.CopyPixelDataTo(pixels.AsSpan(0, plane));
            // (v * rescale - mean) / std folded into one multiply-add per channel.
            Span<float> scale = stackalloc float[3];
            Span<float> shift = stackalloc float[3];
            for (var c = 0; c < 3; c++)
            {
                scale[c] = options.Rescale / options.Std[c];
                shift[c] = -options.Mean[c] / options.Std[c];
            }
            for (var i = 0; i < plane; i++)
            {
                var p = pixels[i];
                chw[i] = (p.R * scale[0]) + shift[0];
                chw[plane + i] = (p.G * scale[1]) + shift[1];
                chw[(2 * plane) + i] = (p.B * scale[2]) + shift[2];
            }
        }
        finally
        {
            ArrayPool<Rgb24>.Shared.Return(pixels);
        }
    }

    private static IResampler Sampler(int resample) => resample switch
    {
        0 => KnownResamplers.NearestNeighbor,
        1 => KnownResamplers.Lanczos3,
        3 => KnownResamplers.Bicubic,
        4 => KnownResamplers.Box,
        _ => KnownResamplers.Triangle,
    };
}
