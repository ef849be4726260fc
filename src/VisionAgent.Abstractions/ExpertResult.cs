namespace VisionAgent.Abstractions;

/// <summary>
/// What an expert function returns: a compact observation for the LLM, the full structure for
/// <c>--json</c>, and the images it produced.
/// </summary>
public sealed record ExpertResult
{
    public required string Observation { get; init; }

    /// <summary>The structured result (records serialisable with System.Text.Json), or null.</summary>
    public object? Data { get; init; }

    public IReadOnlyList<ImageRecord> Images { get; init; } = [];

    /// <summary>True when <see cref="Observation"/> carries text read from the image (OCR, captions, labels) that must be marked as data.</summary>
    public bool ContainsUntrustedText { get; init; }

    public static ExpertResult Text(string observation, object? data = null) => new() { Observation = observation, Data = data };
}

/// <summary>A step of long expert work (model download, denoising step), reported through IProgress.</summary>
public sealed record ExpertProgress(string Expert, string Stage, double Completed, double Total, string? Unit = null);
