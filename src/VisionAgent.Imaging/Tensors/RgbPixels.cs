using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;

namespace VisionAgent.Imaging.Tensors;

/// <summary>
/// An image's RGB bytes (row-major, 3 bytes a pixel) in a buffer rented from <see cref="ArrayPool{T}"/>;
/// dispose to return it. Spans handed out must not be kept past disposal.
/// </summary>
public sealed class RgbPixels : IDisposable
{
    private byte[]? _buffer;

    private RgbPixels(int width, int height)
    {
        Width = width;
        Height = height;
        _buffer = ArrayPool<byte>.Shared.Rent(width * height * 3);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The pixels, <c>Width * Height * 3</c> bytes.</summary>
    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Width * Height * 3);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(RgbPixels));

    /// <summary>Loads an image through the guarded loader, keeping only <paramref name="crop"/> when given.</summary>
    public static RgbPixels Load(string path, ImageLoader loader, PixelBox? crop = null, CancellationToken cancellationToken = default)
    {
        using var image = loader.LoadRgb(path, cancellationToken);
        return From(image, crop);
    }

    /// <summary>Copies the pixels of <paramref name="image"/> (or of a rectangle of it) through its row spans.</summary>
    public static RgbPixels From(Image<Rgb24> image, PixelBox? crop = null)
    {
        var box = (crop ?? new PixelBox(0, 0, image.Width, image.Height)).ClampTo(image.Width, image.Height);
        var x0 = (int)MathF.Floor(box.X1);
        var y0 = (int)MathF.Floor(box.Y1);
        var width = Math.Max(1, (int)MathF.Ceiling(box.X2) - x0);
        var height = Math.Max(1, (int)MathF.Ceiling(box.Y2) - y0);
        if (x0 + width > image.Width || y0 + height > image.Height)
            throw new BadInputException($"region {box} lies outside the {image.Width}x{image.Height} image");
        var pixels = new RgbPixels(width, height);
        var target = pixels.Buffer;
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < height; y++)
            {
                var row = accessor.GetRowSpan(y0 + y).Slice(x0, width);
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(row).CopyTo(target.AsSpan(y * width * 3, width * 3));
            }
        });
        return pixels;
    }

    /// <summary>Wraps raw RGB bytes (tests, decoded frames); the bytes are copied into a pooled buffer.</summary>
    public static RgbPixels FromBytes(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException("expected width * height * 3 bytes", nameof(rgb));
        var pixels = new RgbPixels(width, height);
        rgb.CopyTo(pixels.Buffer);
        return pixels;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
