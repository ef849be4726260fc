namespace VisionAgent.Abstractions;

/// <summary>An image the agent knows by handle: an input file or something an expert produced.</summary>
public sealed record ImageRecord
{
    public required string Handle { get; init; }
    public required string Path { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required string Format { get; init; }

    /// <summary>input, mask, cutout, overlay, annotated, edit, ...</summary>
    public required string Kind { get; init; }

    /// <summary>The handle this image was made from, or null for an input.</summary>
    public string? Parent { get; init; }

    /// <summary>The expert operation that made it ("segment", "edit.background"), or null for an input.</summary>
    public string? Operation { get; init; }

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public string Describe() =>
        Parent is null
            ? $"{Handle}: {QuotedText.Name(System.IO.Path.GetFileName(Path))} ({Width}x{Height} {Format})"
            : $"{Handle}: {Kind} of {Parent} by {Operation} ({Width}x{Height})";
}

/// <summary>A named rectangle on an image (a detection, say) that other experts accept as a box prompt.</summary>
public sealed record RegionRecord(string Reference, string ImageHandle, string Label, float Score, PixelBox Box);

/// <summary>An axis-aligned box in original image pixels, corners inclusive of X1/Y1 and exclusive of X2/Y2.</summary>
public readonly record struct PixelBox(float X1, float Y1, float X2, float Y2)
{
    public float Width => MathF.Max(0, X2 - X1);
    public float Height => MathF.Max(0, Y2 - Y1);
    public float Area => Width * Height;

    public PixelBox ClampTo(int width, int height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    public float IntersectionOverUnion(PixelBox other)
    {
        var ix = MathF.Max(0, MathF.Min(X2, other.X2) - MathF.Max(X1, other.X1));
        var iy = MathF.Max(0, MathF.Min(Y2, other.Y2) - MathF.Max(Y1, other.Y1));
        var inter = ix * iy;
        var union = Area + other.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    public override string ToString() =>
        FormattableString.Invariant($"({X1:0},{Y1:0})-({X2:0},{Y2:0})");

    /// <summary>Parses "x1,y1,x2,y2" (pixels).</summary>
    public static bool TryParse(string text, out PixelBox box)
    {
        box = default;
        var parts = text.Trim().Trim('(', ')', '[', ']').Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4) return false;
        var values = new float[4];
        for (var i = 0; i < 4; i++)
        {
            if (!float.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                return false;
        }
        if (values[2] <= values[0] || values[3] <= values[1]) return false;
        box = new PixelBox(values[0], values[1], values[2], values[3]);
        return true;
    }
}
