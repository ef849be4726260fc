namespace VisionAgent.Imaging;

/// <summary>Caps applied before any pixel is decoded, so a hostile file cannot exhaust memory.</summary>
public sealed record ImageLimits
{
    public int MaxWidth { get; init; } = 16_384;
    public int MaxHeight { get; init; } = 16_384;
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The most memory the decoder may take for one image.</summary>
    public int AllocationLimitMegabytes { get; init; } = 1024;

    public static ImageLimits Default { get; } = new();
}
