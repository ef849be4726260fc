using VisionAgent.Abstractions;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx.TensorMath;

namespace VisionAgent.Plugins.Detect;

/// <summary>Thresholds and filters for one detection call.</summary>
public sealed record DetectionOptions
{
    public float Confidence { get; init; } = 0.25f;
    public float Iou { get; init; } = 0.45f;
    public int MaxBoxes { get; init; } = 100;

    /// <summary>Classes to keep, indexed by class id; null keeps every class.</summary>
    public bool[]? AllowedClasses { get; init; }
}

/// <summary>A detection in source-image pixels, before it gets a label and a reference.</summary>
public readonly record struct RawDetection(int ClassId, float Score, PixelBox Box);

/// <summary>Decoding, class-aware NMS and mapping back through the letterbox: the pure half of detection.</summary>
public static class YoloPostprocessor
{
    public static IReadOnlyList<RawDetection> Run(
        ReadOnlySpan<float> output, YoloLayout layout, int rows, int columns, DetectionOptions options, LetterboxGeometry geometry)
    {
        var candidates = new List<ScoredBox>();
        YoloOutputDecoder.Decode(output, layout, rows, columns, options.Confidence, options.AllowedClasses, candidates);
        var candidateSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(candidates);
        var kept = NonMaxSuppression.Apply(candidateSpan, options.Iou, options.MaxBoxes, classAware: true);
        var detections = new List<RawDetection>(kept.Length);
        foreach (var index in kept)
        {
            var box = candidateSpan[index];
            var source = new PixelBox(
                geometry.ToSourceX(box.X1), geometry.ToSourceY(box.Y1),
                geometry.ToSourceX(box.X2), geometry.ToSourceY(box.Y2)).ClampTo(geometry.SourceWidth, geometry.SourceHeight);
            if (source.Width <= 0 || source.Height <= 0) continue;
            detections.Add(new RawDetection(box.ClassId, box.Score, source));
        }
        return detections;
    }
}
