using VisionAgent.Abstractions;

namespace VisionAgent.Imaging.Masks;

/// <summary>
/// An immutable binary mask at an image's size: one byte per pixel in row-major order, 255 inside and 0 outside
/// (the layout of an 8-bit greyscale mask PNG), so it can be blended or written without conversion.
/// </summary>
public sealed class BinaryMask
{
    public const byte Inside = 255;

    private readonly byte[] _pixels;
    private int _area = -1;

    /// <summary>Wraps <paramref name="pixels"/> (row-major, width*height bytes); any non-zero byte counts as inside.</summary>
    public BinaryMask(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != checked(width * height))
            throw new ArgumentException($"a {width}x{height} mask needs {width * height} bytes, not {pixels.Length}", nameof(pixels));
        for (var i = 0; i < pixels.Length; i++)
        {
            if (pixels[i] != 0) pixels[i] = Inside;
        }
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Every pixel, row-major: 255 inside, 0 outside.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Number of pixels inside the mask.</summary>
    public int Area
    {
        get
        {
            if (_area < 0) _area = CountInside(_pixels);
            return _area;
        }
    }

    /// <summary>The share of the image inside the mask, 0..1.</summary>
    public double Coverage => (double)Area / _pixels.Length;

    public bool this[int x, int y] => _pixels[(y * Width) + x] != 0;

    public ReadOnlySpan<byte> Row(int y) => _pixels.AsSpan(y * Width, Width);

    /// <summary>A mask with no pixel inside.</summary>
    public static BinaryMask Empty(int width, int height) => new(width, height, new byte[checked(width * height)]);

    /// <summary>
    /// A rectangular mask: the pixels whose centres lie inside <paramref name="box"/> (clamped to the image), so a
    /// fractional edge selects a pixel only when it passes that pixel's centre.
    /// </summary>
    public static BinaryMask FromBox(int width, int height, PixelBox box)
    {
        var clamped = box.ClampTo(width, height);
        var x1 = (int)MathF.Round(clamped.X1);
        var y1 = (int)MathF.Round(clamped.Y1);
        var x2 = (int)MathF.Round(clamped.X2);
        var y2 = (int)MathF.Round(clamped.Y2);
        var pixels = new byte[checked(width * height)];
        for (var y = y1; y < y2; y++)
            pixels.AsSpan((y * width) + x1, Math.Max(0, x2 - x1)).Fill(Inside);
        return new BinaryMask(width, height, pixels);
    }

    /// <summary>Pixels whose score is strictly above <paramref name="threshold"/> are inside (logits at 0, probabilities at 0.5).</summary>
    public static BinaryMask FromScores(ReadOnlySpan<float> scores, int width, int height, float threshold)
    {
        if (scores.Length != checked(width * height))
            throw new ArgumentException($"a {width}x{height} mask needs {width * height} scores, not {scores.Length}", nameof(scores));
        var pixels = new byte[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > threshold) pixels[i] = Inside;
        }
        return new BinaryMask(width, height, pixels);
    }

    /// <summary>The tightest box around the inside pixels (X2/Y2 exclusive), or null when the mask is empty.</summary>
    public PixelBox? Bounds()
    {
        int minX = Width, minY = Height, maxX = -1, maxY = -1;
        for (var y = 0; y < Height; y++)
        {
            var row = Row(y);
            var first = row.IndexOf(Inside);
            if (first < 0) continue;
            var last = row.LastIndexOf(Inside);
            if (first < minX) minX = first;
            if (last > maxX) maxX = last;
            if (minY == Height) minY = y;
            maxY = y;
        }
        return maxX < 0 ? null : new PixelBox(minX, minY, maxX + 1, maxY + 1);
    }

    /// <summary>The share of <paramref name="region"/>'s pixels that are inside the mask, 0..1.</summary>
    public double CoverageOf(PixelBox region)
    {
        var box = region.ClampTo(Width, Height);
        int x1 = (int)MathF.Floor(box.X1), y1 = (int)MathF.Floor(box.Y1), x2 = (int)MathF.Ceiling(box.X2), y2 = (int)MathF.Ceiling(box.Y2);
        long total = (long)(x2 - x1) * (y2 - y1);
        if (total <= 0) return 0;
        long inside = 0;
        for (var y = y1; y < y2; y++) inside += CountInside(_pixels.AsSpan((y * Width) + x1, x2 - x1));
        return (double)inside / total;
    }

    /// <summary>Intersection over union with a mask of the same size (1 when both are empty).</summary>
    public double IntersectionOverUnion(BinaryMask other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Width != Width || other.Height != Height)
            throw new ArgumentException($"masks differ in size ({Width}x{Height} and {other.Width}x{other.Height})", nameof(other));
        long intersection = 0, union = 0;
        var a = _pixels;
        var b = other._pixels;
        for (var i = 0; i < a.Length; i++)
        {
            var ai = a[i] != 0;
            var bi = b[i] != 0;
            if (ai && bi) intersection++;
            if (ai || bi) union++;
        }
        return union == 0 ? 1 : (double)intersection / union;
    }

    /// <summary>The mask at another size by nearest neighbour (for a model input or another image's size).</summary>
    public BinaryMask ResizeNearest(int width, int height)
    {
        if (width == Width && height == Height) return this;
        var pixels = new byte[checked(width * height)];
        var sourceX = new int[width];
        for (var x = 0; x < width; x++) sourceX[x] = Math.Min(Width - 1, (int)(((x + 0.5) * Width) / width));
        for (var y = 0; y < height; y++)
        {
            var sy = Math.Min(Height - 1, (int)(((y + 0.5) * Height) / height));
            var source = Row(sy);
            var target = pixels.AsSpan(y * width, width);
            for (var x = 0; x < width; x++) target[x] = source[sourceX[x]];
        }
        return new BinaryMask(width, height, pixels);
    }

    /// <summary>The mask grown by <paramref name="radius"/> pixels (square neighbourhood), for example to cover edges before inpainting.</summary>
    public BinaryMask Dilate(int radius)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        if (radius == 0) return this;
        // Separable: a horizontal pass then a vertical pass of a running window count.
        var horizontal = new byte[_pixels.Length];
        for (var y = 0; y < Height; y++)
        {
            var row = Row(y);
            var target = horizontal.AsSpan(y * Width, Width);
            var count = 0;
            for (var x = 0; x < Math.Min(radius, Width); x++) count += row[x] != 0 ? 1 : 0;
            for (var x = 0; x < Width; x++)
            {
                var enter = x + radius;
                if (enter < Width && row[enter] != 0) count++;
                var leave = x - radius - 1;
                if (leave >= 0 && row[leave] != 0) count--;
                if (count > 0) target[x] = Inside;
            }
        }
        var result = new byte[_pixels.Length];
        for (var x = 0; x < Width; x++)
        {
            var count = 0;
            for (var y = 0; y < Math.Min(radius, Height); y++) count += horizontal[(y * Width) + x] != 0 ? 1 : 0;
            for (var y = 0; y < Height; y++)
            {
                var enter = y + radius;
                if (enter < Height && horizontal[(enter * Width) + x] != 0) count++;
                var leave = y - radius - 1;
                if (leave >= 0 && horizontal[(leave * Width) + x] != 0) count--;
                if (count > 0) result[(y * Width) + x] = Inside;
            }
        }
        return new BinaryMask(Width, Height, result);
    }

    /// <summary>The mask with inside and outside swapped (the background of a subject mask).</summary>
    public BinaryMask Invert()
    {
        var pixels = new byte[_pixels.Length];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = _pixels[i] == 0 ? Inside : (byte)0;
        return new BinaryMask(Width, Height, pixels);
    }

    private static int CountInside(ReadOnlySpan<byte> pixels) => pixels.Length - pixels.Count((byte)0);
}
