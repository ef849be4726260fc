using System.Globalization;
using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Segment;

/// <summary>A prompt point in original image pixels; foreground points are inside the wanted object, background ones outside.</summary>
public readonly record struct PromptPoint(float X, float Y, bool Foreground);

/// <summary>What the user pointed at: points, a box (from coordinates or a detection), or nothing (the salient object).</summary>
public sealed record SegmentPrompt(IReadOnlyList<PromptPoint> Points, PixelBox? Box, string? Region)
{
    public static SegmentPrompt None { get; } = new([], null, null);

    public bool IsEmpty => Points.Count == 0 && Box is null;

    public string Describe()
    {
        if (IsEmpty) return "none";
        var parts = new List<string>();
        var foreground = Points.Count(p => p.Foreground);
        var background = Points.Count - foreground;
        if (foreground > 0) parts.Add(foreground == 1 ? "1 point" : $"{foreground} points");
        if (background > 0) parts.Add(background == 1 ? "1 background point" : $"{background} background points");
        if (Box is { } box) parts.Add(Region is null ? $"box {box}" : $"box of {Region} {box}");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// The decoder's <c>point_coords</c> [1,N,2] and <c>point_labels</c> [1,N] in the resized frame: points labelled 1 or 0,
    /// then the box corners labelled 2 and 3, or, without a box, the padding point (0,0) labelled -1.
    /// </summary>
    public (float[] Coordinates, float[] Labels) Encode(SamImageFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var count = Points.Count + (Box is null ? 1 : 2);
        var coordinates = new float[count * 2];
        var labels = new float[count];
        var i = 0;
        foreach (var point in Points)
        {
            (coordinates[2 * i], coordinates[(2 * i) + 1]) = frame.ToModel(point.X, point.Y);
            labels[i++] = point.Foreground ? 1 : 0;
        }
        if (Box is { } box)
        {
            (coordinates[2 * i], coordinates[(2 * i) + 1]) = frame.ToModel(box.X1, box.Y1);
            labels[i++] = 2;
            (coordinates[2 * i], coordinates[(2 * i) + 1]) = frame.ToModel(box.X2, box.Y2);
            labels[i] = 3;
        }
        else
        {
            labels[i] = -1;
        }
        return (coordinates, labels);
    }

    /// <summary>Parses "x,y" or several "x,y;x,y" (pixels), checking each lies on a <paramref name="width"/>x<paramref name="height"/> image.</summary>
    public static IReadOnlyList<PromptPoint> ParsePoints(string? text, bool foreground, int width, int height, string argument)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var points = new List<PromptPoint>();
        foreach (var item in text.Split(';', '|'))
        {
            if (string.IsNullOrWhiteSpace(item)) continue;
            var parts = item.Trim().Trim('(', ')', '[', ']').Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 ||
                !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ||
                !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
                throw new BadInputException($"{argument} '{item.Trim()}' is not x,y in pixels (several points: x,y;x,y)");
            if (x < 0 || y < 0 || x >= width || y >= height)
                throw new BadInputException(FormattableString.Invariant($"{argument} ({x:0},{y:0}) lies outside the {width}x{height} image"));
            points.Add(new PromptPoint(x, y, foreground));
        }
        return points;
    }
}
