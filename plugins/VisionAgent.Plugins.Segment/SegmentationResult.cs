using VisionAgent.Abstractions;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Plugins.Segment;

/// <summary>What the segment expert found, in full (the <c>--json</c> data).</summary>
public sealed record SegmentationResult
{
    public required string Image { get; init; }

    /// <summary>isnet or sam.</summary>
    public required string Backend { get; init; }

    /// <summary>The model group that ran: isnet, mobilesam, sam_vit_b, ...</summary>
    public required string Model { get; init; }

    public required string Prompt { get; init; }

    public required float Threshold { get; init; }

    /// <summary>The share of the image inside the mask, in percent.</summary>
    public required double AreaPercent { get; init; }

    public required int AreaPixels { get; init; }

    public PixelBox? Box { get; init; }

    /// <summary>Connected regions at least <see cref="MinRegionPixels"/> in size.</summary>
    public required int RegionCount { get; init; }

    public required int MinRegionPixels { get; init; }

    /// <summary>The largest regions, largest first (at most ten).</summary>
    public IReadOnlyList<MaskRegion> Regions { get; init; } = [];

    /// <summary>SAM only: the chosen mask's predicted IoU, and every mask's.</summary>
    public float? PredictedIou { get; init; }

    public IReadOnlyList<float>? IouPredictions { get; init; }

    /// <summary>SAM only: true when the image embedding came from the cache (no encoder run).</summary>
    public bool? EmbeddingCached { get; init; }

    public string? MaskHandle { get; init; }

    public string? CutoutHandle { get; init; }

    public string? OverlayHandle { get; init; }

    public string? Note { get; init; }
}
