using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Detect;

/// <summary>A box as fractions of the image's width and height (0..1).</summary>
public readonly record struct FractionBox(float X1, float Y1, float X2, float Y2);

/// <summary>One detected object: its reference (img1#det1), label, score and box.</summary>
public sealed record Detection(string Reference, string Label, int ClassId, float Score, PixelBox Box, FractionBox Fraction);

/// <summary>Where the time of one detection went; the model's own time apart.</summary>
public sealed record DetectionTimings(double PreprocessMs, double InferenceMs, double PostprocessMs, double AnnotateMs);

/// <summary>The full result of a detect call, as <c>--json</c> prints it.</summary>
public sealed record DetectionReport
{
    public required string Image { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required string Layout { get; init; }
    public required int InputWidth { get; init; }
    public required int InputHeight { get; init; }
    public required float Confidence { get; init; }
    public required float Iou { get; init; }
    public IReadOnlyList<string> Classes { get; init; } = [];
    public required IReadOnlyList<Detection> Detections { get; init; }

    /// <summary>Detections per label, most frequent first.</summary>
    public required IReadOnlyDictionary<string, int> Counts { get; init; }

    /// <summary>The handle of the annotated image, when one was drawn.</summary>
    public string? Annotated { get; init; }

    public required DetectionTimings Timings { get; init; }
}
