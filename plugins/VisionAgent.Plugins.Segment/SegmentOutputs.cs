using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Segment;

/// <summary>The images a segment call writes; a caller that needs only the mask skips the other two.</summary>
[Flags]
public enum SegmentOutputs
{
    None = 0,
    Mask = 1,
    Cutout = 2,
    Overlay = 4,
    All = Mask | Cutout | Overlay,
}

/// <summary>Reads the <c>outputs</c> argument: <c>all</c> or a comma-separated list of mask, cutout and overlay.</summary>
public static class SegmentOutputsParser
{
    public static SegmentOutputs Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return SegmentOutputs.All;
        var outputs = SegmentOutputs.None;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            outputs |= part.ToLowerInvariant() switch
            {
                "all" => SegmentOutputs.All,
                "mask" => SegmentOutputs.Mask,
                "cutout" or "cut-out" => SegmentOutputs.Cutout,
                "overlay" => SegmentOutputs.Overlay,
                _ => throw new BadInputException($"outputs '{text}' must be all, or a list of mask, cutout and overlay"),
            };
        }
        return outputs == SegmentOutputs.None
            ? throw new BadInputException($"outputs '{text}' must be all, or a list of mask, cutout and overlay")
            : outputs;
    }
}
