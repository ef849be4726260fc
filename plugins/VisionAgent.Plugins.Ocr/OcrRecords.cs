using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Ocr;

/// <summary>A corner of a text line's quadrilateral, in original image pixels.</summary>
public sealed record OcrPoint(float X, float Y);

/// <summary>One line of text: its words, the recogniser's confidence, its quadrilateral (clockwise from top-left) and bounding box.</summary>
public sealed record OcrLine(string Text, float Confidence, IReadOnlyList<OcrPoint> Quad, PixelBox Box)
{
    /// <summary>The visual row the line belongs to (lines side by side share a row), counted from the top.</summary>
    public int Row { get; init; }
}

/// <summary>What the ocr expert read from an image.</summary>
public sealed record OcrResult(string Image, int Width, int Height, PixelBox? Region, IReadOnlyList<OcrLine> Lines, string FullText);
