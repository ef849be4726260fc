using System.Numerics;

namespace VisionAgent.Imaging.Tensors;

/// <summary>A quadrilateral in image pixels (continuous coordinates, 0 at the left/top edge), corners clockwise from the top-left.</summary>
public readonly record struct Quad(Vector2 TopLeft, Vector2 TopRight, Vector2 BottomRight, Vector2 BottomLeft)
{
    public static Quad FromRectangle(float x1, float y1, float x2, float y2) => new(new(x1, y1), new(x2, y1), new(x2, y2), new(x1, y2));

    /// <summary>The longer of the top and bottom edges.</summary>
    public float Width => MathF.Max(Vector2.Distance(TopLeft, TopRight), Vector2.Distance(BottomLeft, BottomRight));

    /// <summary>The longer of the left and right edges.</summary>
    public float Height => MathF.Max(Vector2.Distance(TopLeft, BottomLeft), Vector2.Distance(TopRight, BottomRight));

    /// <summary>The same region seen upside down: sampling it rotates the content by 180 degrees.</summary>
    public Quad Rotated180() => new(BottomRight, BottomLeft, TopLeft, TopRight);

    /// <summary>The same region turned a quarter counter-clockwise (a vertical line read as horizontal).</summary>
    public Quad RotatedCounterClockwise() => new(TopRight, BottomRight, BottomLeft, TopLeft);

    /// <summary>The quad grown outwards by <paramref name="across"/> pixels above and below its text line and <paramref name="along"/> pixels at each end.</summary>
    public Quad Expand(float along, float across)
    {
        var right = Vector2.Normalize((TopRight - TopLeft) + (BottomRight - BottomLeft));
        var down = Vector2.Normalize((BottomLeft - TopLeft) + (BottomRight - TopRight));
        if (float.IsNaN(right.X) || float.IsNaN(down.X)) return this;
        var a = right * along;
        var c = down * across;
        return new(TopLeft - a - c, TopRight + a - c, BottomRight + a + c, BottomLeft - a + c);
    }

    /// <summary>The part of the quad between two fractions (0 to 1) of its length, measured from its left edge.</summary>
    public Quad Section(float from, float to) => new(
        Vector2.Lerp(TopLeft, TopRight, from),
        Vector2.Lerp(TopLeft, TopRight, to),
        Vector2.Lerp(BottomLeft, BottomRight, to),
        Vector2.Lerp(BottomLeft, BottomRight, from));

    public Quad Offset(float dx, float dy) =>
        new(TopLeft + new Vector2(dx, dy), TopRight + new Vector2(dx, dy), BottomRight + new Vector2(dx, dy), BottomLeft + new Vector2(dx, dy));
}

/// <summary>
/// Samples a quadrilateral of an image into a planar float tensor of a given size (perspective warp with
/// bilinear interpolation, edge pixels repeated), averaging several samples per output pixel when shrinking,
/// and normalising on the way. One pass, no intermediate image.
/// </summary>
public static class QuadSampler
{
    private const int MaxSamplesPerAxis = 4;

    /// <summary>
    /// Writes planes [3, <paramref name="height"/>, <paramref name="tensorWidth"/>] into <paramref name="tensor"/>;
    /// only columns below <paramref name="width"/> are written, so the caller's padding stays.
    /// </summary>
    public static void Sample(RgbPixels source, Quad quad, Span<float> tensor, int width, int height, int tensorWidth, in TensorNormalization normalization)
    {
        if (width <= 0 || height <= 0 || width > tensorWidth)
            throw new ArgumentOutOfRangeException(nameof(width), "the sampled width must be positive and fit the tensor");
        if (tensor.Length < 3 * height * tensorWidth)
            throw new ArgumentException("the tensor is too small", nameof(tensor));
        var map = Homography.SquareToQuad(quad);
        var samplesX = Math.Clamp((int)MathF.Ceiling(quad.Width / width), 1, MaxSamplesPerAxis);
        var samplesY = Math.Clamp((int)MathF.Ceiling(quad.Height / height), 1, MaxSamplesPerAxis);
        var weight = 1f / (samplesX * samplesY);
        var plane = height * tensorWidth;
        var pixels = source.Data;
        int c0 = normalization.SourceChannel(0), c1 = normalization.SourceChannel(1), c2 = normalization.SourceChannel(2);
        float s0 = normalization.Scale(0) * weight, s1 = normalization.Scale(1) * weight, s2 = normalization.Scale(2) * weight;
        float b0 = normalization.Bias(0), b1 = normalization.Bias(1), b2 = normalization.Bias(2);
        Span<float> rgb = stackalloc float[3];
        for (var v = 0; v < height; v++)
        {
            for (var u = 0; u < width; u++)
            {
                rgb.Clear();
                for (var sy = 0; sy < samplesY; sy++)
                {
                    var t = (v + (sy + 0.5f) / samplesY) / height;
                    for (var sx = 0; sx < samplesX; sx++)
                    {
                        var s = (u + (sx + 0.5f) / samplesX) / width;
                        var point = map.Apply(s, t);
                        Bilinear(pixels, source.Width, source.Height, point.X - 0.5f, point.Y - 0.5f, rgb);
                    }
                }
                var at = v * tensorWidth + u;
                tensor[at] = rgb[c0] * s0 + b0;
                tensor[plane + at] = rgb[c1] * s1 + b1;
                tensor[2 * plane + at] = rgb[c2] * s2 + b2;
            }
        }
    }

    private static void Bilinear(ReadOnlySpan<byte> pixels, int width, int height, float x, float y, Span<float> sum)
    {
        x = Math.Clamp(x, 0, width - 1);
        y = Math.Clamp(y, 0, height - 1);
        var x0 = (int)x;
        var y0 = (int)y;
        var x1 = Math.Min(x0 + 1, width - 1);
        var y1 = Math.Min(y0 + 1, height - 1);
        var fx = x - x0;
        var fy = y - y0;
        var w00 = (1 - fx) * (1 - fy);
        var w10 = fx * (1 - fy);
        var w01 = (1 - fx) * fy;
        var w11 = fx * fy;
        var i00 = (y0 * width + x0) * 3;
        var i10 = (y0 * width + x1) * 3;
        var i01 = (y1 * width + x0) * 3;
        var i11 = (y1 * width + x1) * 3;
        for (var c = 0; c < 3; c++)
            sum[c] += pixels[i00 + c] * w00 + pixels[i10 + c] * w10 + pixels[i01 + c] * w01 + pixels[i11 + c] * w11;
    }

    /// <summary>Maps the unit square (s, t) onto a quadrilateral: (0,0) top-left, (1,0) top-right, (1,1) bottom-right.</summary>
    private readonly record struct Homography(float A, float B, float C, float D, float E, float F, float G, float H)
    {
        public static Homography SquareToQuad(Quad q)
        {
            Vector2 p0 = q.TopLeft, p1 = q.TopRight, p2 = q.BottomRight, p3 = q.BottomLeft;
            var d1 = p1 - p2;
            var d2 = p3 - p2;
            var d3 = p0 - p1 + p2 - p3;
            var den = d1.X * d2.Y - d2.X * d1.Y;
            if (MathF.Abs(d3.X) < 1e-6f && MathF.Abs(d3.Y) < 1e-6f || MathF.Abs(den) < 1e-9f)
                return new(p1.X - p0.X, p3.X - p0.X, p0.X, p1.Y - p0.Y, p3.Y - p0.Y, p0.Y, 0, 0);
            var g = (d3.X * d2.Y - d2.X * d3.Y) / den;
            var h = (d1.X * d3.Y - d3.X * d1.Y) / den;
            return new(p1.X - p0.X + g * p1.X, p3.X - p0.X + h * p3.X, p0.X, p1.Y - p0.Y + g * p1.Y, p3.Y - p0.Y + h * p3.Y, p0.Y, g, h);
        }

        public Vector2 Apply(float s, float t)
        {
            var w = G * s + H * t + 1;
            return new((A * s + B * t + C) / w, (D * s + E * t + F) / w);
        }
    }
}
