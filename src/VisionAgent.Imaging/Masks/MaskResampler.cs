namespace VisionAgent.Imaging.Masks;

/// <summary>
/// Resizes a model's score map (probabilities or logits, row-major) to an image's size with bilinear sampling on
/// pixel centres (PyTorch's <c>interpolate(mode="bilinear", align_corners=False)</c>), optionally thresholding on the fly
/// so the full-size float map is never allocated.
/// </summary>
public static class MaskResampler
{
    /// <summary>Bilinear resize of a score map.</summary>
    public static float[] Resize(ReadOnlySpan<float> scores, int sourceWidth, int sourceHeight, int width, int height)
    {
        CheckSource(scores, sourceWidth, sourceHeight);
        var result = new float[checked(width * height)];
        var columns = Taps.For(sourceWidth, width);
        for (var y = 0; y < height; y++)
        {
            var (y0, y1, wy) = Taps.Single(sourceHeight, height, y);
            var row0 = scores.Slice(y0 * sourceWidth, sourceWidth);
            var row1 = scores.Slice(y1 * sourceWidth, sourceWidth);
            var target = result.AsSpan(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var x0 = columns.Low[x];
                var x1 = columns.High[x];
                var wx = columns.Weight[x];
                var top = row0[x0] + ((row0[x1] - row0[x0]) * wx);
                var bottom = row1[x0] + ((row1[x1] - row1[x0]) * wx);
                target[x] = top + ((bottom - top) * wy);
            }
        }
        return result;
    }

    /// <summary>Bilinear resize of a score map to <paramref name="width"/>x<paramref name="height"/>, inside where the score is above <paramref name="threshold"/>.</summary>
    public static BinaryMask ResizeToMask(ReadOnlySpan<float> scores, int sourceWidth, int sourceHeight, int width, int height, float threshold)
    {
        CheckSource(scores, sourceWidth, sourceHeight);
        if (sourceWidth == width && sourceHeight == height) return BinaryMask.FromScores(scores, width, height, threshold);
        var pixels = new byte[checked(width * height)];
        var columns = Taps.For(sourceWidth, width);
        var rowTop = new float[width];
        var rowBottom = new float[width];
        var cachedTop = -1;
        var cachedBottom = -1;
        for (var y = 0; y < height; y++)
        {
            var (y0, y1, wy) = Taps.Single(sourceHeight, height, y);
            // Consecutive output rows mostly share their two source rows: resample each source row once.
            if (y0 != cachedTop)
            {
                if (y0 == cachedBottom) (rowTop, rowBottom, cachedTop, cachedBottom) = (rowBottom, rowTop, cachedBottom, -1);
                else ResampleRow(scores.Slice(y0 * sourceWidth, sourceWidth), columns, rowTop);
                cachedTop = y0;
            }
            if (y1 != cachedBottom)
            {
                ResampleRow(scores.Slice(y1 * sourceWidth, sourceWidth), columns, rowBottom);
                cachedBottom = y1;
            }
            var target = pixels.AsSpan(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var value = rowTop[x] + ((rowBottom[x] - rowTop[x]) * wy);
                if (value > threshold) target[x] = BinaryMask.Inside;
            }
        }
        return new BinaryMask(width, height, pixels);
    }

    private static void ResampleRow(ReadOnlySpan<float> source, Taps columns, float[] target)
    {
        for (var x = 0; x < target.Length; x++)
        {
            var a = source[columns.Low[x]];
            target[x] = a + ((source[columns.High[x]] - a) * columns.Weight[x]);
        }
    }

    private static void CheckSource(ReadOnlySpan<float> scores, int sourceWidth, int sourceHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        if (scores.Length != checked(sourceWidth * sourceHeight))
            throw new ArgumentException($"a {sourceWidth}x{sourceHeight} score map needs {sourceWidth * sourceHeight} values, not {scores.Length}", nameof(scores));
    }

    private sealed class Taps(int[] low, int[] high, float[] weight)
    {
        public int[] Low { get; } = low;
        public int[] High { get; } = high;
        public float[] Weight { get; } = weight;

        public static Taps For(int sourceSize, int size)
        {
            var low = new int[size];
            var high = new int[size];
            var weight = new float[size];
            for (var i = 0; i < size; i++) (low[i], high[i], weight[i]) = Single(sourceSize, size, i);
            return new Taps(low, high, weight);
        }

        public static (int Low, int High, float Weight) Single(int sourceSize, int size, int index)
        {
            var position = ((index + 0.5) * sourceSize / size) - 0.5;
            if (position <= 0) return (0, 0, 0);
            var low = (int)position;
            if (low >= sourceSize - 1) return (sourceSize - 1, sourceSize - 1, 0);
            return (low, low + 1, (float)(position - low));
        }
    }
}
