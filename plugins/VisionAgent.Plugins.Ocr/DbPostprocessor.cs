using System.Buffers;
using System.Numerics;
using VisionAgent.Imaging.Tensors;

namespace VisionAgent.Plugins.Ocr;

/// <summary>A text region found by the detector: its quadrilateral in original image pixels and its mean probability.</summary>
public readonly record struct TextBox(Quad Quad, float Score);

/// <summary>
/// Turns a DB text-probability map into text boxes, as PaddleOCR's DBPostProcess does: binarise, take each
/// connected region, fit its minimum-area rotated rectangle, score it by the mean probability inside, expand it
/// by area * ratio / perimeter, and map it back to the original image size.
/// </summary>
public static class DbPostprocessor
{
    private const int MinSize = 3;
    private const int MaxCandidates = 1000;

    public static List<TextBox> Extract(
        ReadOnlySpan<float> probability, int mapWidth, int mapHeight, int imageWidth, int imageHeight,
        float threshold, float boxThreshold, float unclipRatio)
    {
        if (probability.Length < mapWidth * mapHeight)
            throw new ArgumentException("the probability map is smaller than its dimensions", nameof(probability));
        var count = mapWidth * mapHeight;
        var labels = ArrayPool<int>.Shared.Rent(count);
        var stack = ArrayPool<int>.Shared.Rent(count);
        var rowMin = ArrayPool<int>.Shared.Rent(mapHeight);
        var rowMax = ArrayPool<int>.Shared.Rent(mapHeight);
        var boxes = new List<TextBox>();
        try
        {
            Array.Clear(labels, 0, count);
            var hull = new List<Vector2>();
            var next = 0;
            for (var start = 0; start < count && next < MaxCandidates; start++)
            {
                if (labels[start] != 0 || probability[start] <= threshold) continue;
                next++;
                var (top, bottom, score, area) = FillRegion(probability, mapWidth, mapHeight, threshold, start, next, labels, stack, rowMin, rowMax);
                // A region's hull only depends on the leftmost and rightmost pixel of each of its rows.
                var points = new List<Vector2>(2 * (bottom - top + 1));
                for (var y = top; y <= bottom; y++)
                {
                    if (rowMin[y] > rowMax[y]) continue;
                    points.Add(new Vector2(rowMin[y], y));
                    if (rowMax[y] != rowMin[y]) points.Add(new Vector2(rowMax[y], y));
                }
                ConvexHull(points, hull);
                var rect = MinAreaRectangle(hull);
                if (MathF.Min(rect.Width, rect.Height) < MinSize) continue;
                if (score < boxThreshold) continue;
                var expanded = Unclip(rect, area, unclipRatio);
                if (MathF.Min(expanded.Width, expanded.Height) < MinSize + 2) continue;
                var scaled = ToImage(OrderCorners(expanded.Corners()), mapWidth, mapHeight, imageWidth, imageHeight);
                if (scaled.Width <= MinSize || scaled.Height <= MinSize) continue;
                boxes.Add(new TextBox(scaled, score));
            }
            return boxes;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(labels);
            ArrayPool<int>.Shared.Return(stack);
            ArrayPool<int>.Shared.Return(rowMin);
            ArrayPool<int>.Shared.Return(rowMax);
        }
    }

    /// <summary>
    /// 8-connected flood fill from <paramref name="start"/>; records each row's extreme columns and returns the
    /// region's mean probability (PaddleOCR's contour score: unlike the rectangle score it does not punish
    /// lines that curve on a photographed page).
    /// </summary>
    private static (int Top, int Bottom, float Score, int Area) FillRegion(
        ReadOnlySpan<float> probability, int width, int height, float threshold, int start, int label,
        int[] labels, int[] stack, int[] rowMin, int[] rowMax)
    {
        var top = start / width;
        var bottom = top;
        rowMin[top] = int.MaxValue;
        rowMax[top] = int.MinValue;
        var size = 0;
        double sum = 0;
        var pixels = 0;
        stack[size++] = start;
        labels[start] = label;
        while (size > 0)
        {
            var at = stack[--size];
            sum += probability[at];
            pixels++;
            var y = at / width;
            var x = at - y * width;
            if (y > bottom)
            {
                for (var r = bottom + 1; r <= y; r++) { rowMin[r] = int.MaxValue; rowMax[r] = int.MinValue; }
                bottom = y;
            }
            if (x < rowMin[y]) rowMin[y] = x;
            if (x > rowMax[y]) rowMax[y] = x;
            for (var dy = -1; dy <= 1; dy++)
            {
                var ny = y + dy;
                if ((uint)ny >= (uint)height) continue;
                for (var dx = -1; dx <= 1; dx++)
                {
                    var nx = x + dx;
                    if ((uint)nx >= (uint)width) continue;
                    var n = ny * width + nx;
                    if (labels[n] != 0 || probability[n] <= threshold) continue;
                    labels[n] = label;
                    stack[size++] = n;
                }
            }
        }
        // The scan finds a region at its first pixel in row order, so nothing lies above 'top'.
        return (top, bottom, (float)(sum / pixels), pixels);
    }

    /// <summary>Andrew's monotone chain; the hull is written to <paramref name="hull"/> counter-clockwise.</summary>
    internal static void ConvexHull(List<Vector2> points, List<Vector2> hull)
    {
        hull.Clear();
        points.Sort((a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y.CompareTo(b.Y));
        if (points.Count < 3)
        {
            hull.AddRange(points);
            return;
        }
        for (var pass = 0; pass < 2; pass++)
        {
            var floor = hull.Count;
            for (var i = 0; i < points.Count; i++)
            {
                var p = points[pass == 0 ? i : points.Count - 1 - i];
                while (hull.Count >= floor + 2 && Cross(hull[^2], hull[^1], p) <= 0) hull.RemoveAt(hull.Count - 1);
                hull.Add(p);
            }
            hull.RemoveAt(hull.Count - 1);
        }
    }

    private static float Cross(Vector2 o, Vector2 a, Vector2 b) => (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);

    /// <summary>A rotated rectangle: centre, unit axis along its width, and side lengths.</summary>
    internal readonly record struct RotatedRect(Vector2 Center, Vector2 Axis, float Width, float Height)
    {
        public Vector2[] Corners()
        {
            var u = Axis * (Width / 2);
            var v = new Vector2(-Axis.Y, Axis.X) * (Height / 2);
            return [Center - u - v, Center + u - v, Center + u + v, Center - u + v];
        }
    }

    /// <summary>Rotating calipers: one side of the minimum-area rectangle lies on a hull edge.</summary>
    internal static RotatedRect MinAreaRectangle(List<Vector2> hull)
    {
        if (hull.Count == 0) return new RotatedRect(Vector2.Zero, Vector2.UnitX, 0, 0);
        if (hull.Count == 1) return new RotatedRect(hull[0], Vector2.UnitX, 0, 0);
        var best = new RotatedRect(Vector2.Zero, Vector2.UnitX, float.MaxValue, float.MaxValue);
        var bestArea = float.MaxValue;
        for (var i = 0; i < hull.Count; i++)
        {
            var edge = hull[(i + 1) % hull.Count] - hull[i];
            var length = edge.Length();
            if (length < 1e-6f) continue;
            var axis = edge / length;
            var normal = new Vector2(-axis.Y, axis.X);
            float minU = float.MaxValue, maxU = float.MinValue, minV = float.MaxValue, maxV = float.MinValue;
            foreach (var p in hull)
            {
                var u = Vector2.Dot(p, axis);
                var v = Vector2.Dot(p, normal);
                minU = MathF.Min(minU, u); maxU = MathF.Max(maxU, u);
                minV = MathF.Min(minV, v); maxV = MathF.Max(maxV, v);
            }
            var area = (maxU - minU) * (maxV - minV);
            if (area >= bestArea - 1e-4f && best.Width != float.MaxValue) continue;
            bestArea = area;
            var center = axis * ((minU + maxU) / 2) + normal * ((minV + maxV) / 2);
            best = new RotatedRect(center, axis, maxU - minU, maxV - minV);
        }
        return best;
    }

    /// <summary>
    /// Grows the rectangle by area * ratio / perimeter on every side, as PaddleOCR's unclip offsets the region's
    /// outline. The area and thickness are the region's own (its pixel count), not its rectangle's, so a line that
    /// curves on a photographed page is not padded into its neighbours; for a straight line both agree.
    /// </summary>
    internal static RotatedRect Unclip(RotatedRect rect, int regionPixels, float ratio)
    {
        var length = MathF.Max(rect.Width, rect.Height);
        if (length <= 0) return rect;
        var thickness = Math.Clamp(regionPixels / (length + 1) - 1, 0, MathF.Min(rect.Width, rect.Height));
        var distance = length * thickness * ratio / (2 * (length + thickness));
        return rect with { Width = rect.Width + 2 * distance, Height = rect.Height + 2 * distance };
    }

    /// <summary>Orders corners as PaddleOCR does: of the two leftmost the upper is top-left, of the two rightmost the upper is top-right.</summary>
    internal static Quad OrderCorners(Vector2[] corners)
    {
        var byX = corners.OrderBy(c => c.X).ThenBy(c => c.Y).ToArray();
        var (tl, bl) = byX[0].Y <= byX[1].Y ? (byX[0], byX[1]) : (byX[1], byX[0]);
        var (tr, br) = byX[2].Y <= byX[3].Y ? (byX[2], byX[3]) : (byX[3], byX[2]);
        return new Quad(tl, tr, br, bl);
    }

    private static Quad ToImage(Quad quad, int mapWidth, int mapHeight, int imageWidth, int imageHeight)
    {
        var sx = (float)imageWidth / mapWidth;
        var sy = (float)imageHeight / mapHeight;
        Vector2 Map(Vector2 p) => new(Math.Clamp(MathF.Round(p.X * sx), 0, imageWidth), Math.Clamp(MathF.Round(p.Y * sy), 0, imageHeight));
        return new Quad(Map(quad.TopLeft), Map(quad.TopRight), Map(quad.BottomRight), Map(quad.BottomLeft));
    }
}
