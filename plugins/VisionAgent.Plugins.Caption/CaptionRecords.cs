namespace VisionAgent.Plugins.Caption;

/// <summary>Where the time of one caption went; the models' own time apart from preprocessing and search.</summary>
public sealed record CaptionTimings(double PreprocessMs, double EncoderMs, double DecoderModelMs, double SearchMs);

/// <summary>The full result of a caption call, as <c>--json</c> prints it.</summary>
public sealed record CaptionReport
{
    public required string Image { get; init; }
    public required string Caption { get; init; }
    public required IReadOnlyList<int> TokenIds { get; init; }

    /// <summary>Sum of log-probabilities (beam: divided by length to the length penalty).</summary>
    public required float Score { get; init; }

    public required int NumBeams { get; init; }
    public required int MaxLength { get; init; }

    /// <summary>none, with_past or merged.</summary>
    public required string Cache { get; init; }

    public required string Tokenizer { get; init; }
    public required int Steps { get; init; }
    public required CaptionTimings Timings { get; init; }
}
