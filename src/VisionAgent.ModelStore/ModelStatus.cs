namespace VisionAgent.ModelStore;

/// <summary>One model file as <c>visionagent models list</c> shows it.</summary>
public sealed record ModelFileStatus
{
    public required string Expert { get; init; }
    public required string Name { get; init; }
    public required string File { get; init; }

    /// <summary>Where the file is or would be: the override path, else the cache path.</summary>
    public required string Path { get; init; }

    public required bool Present { get; init; }

    /// <summary>True when the path comes from the configuration or <c>--model</c>.</summary>
    public required bool Overridden { get; init; }

    /// <summary>Bytes on disk when present.</summary>
    public long? Size { get; init; }

    /// <summary>Bytes the manifest announces.</summary>
    public long? ExpectedSize { get; init; }

    public string? Sha256 { get; init; }
    public string? License { get; init; }
    /// <summary>The first source in the manifest's order.</summary>
    public required string Source { get; init; }

    /// <summary>The source that served the cached file, when it was fetched by this cache.</summary>
    public string? ServedBy { get; init; }

    /// <summary>How many sources the manifest lists (tried in order).</summary>
    public int SourceCount { get; init; }

    public required bool Required { get; init; }
    public string? Group { get; init; }
    public required bool AutoFetch { get; init; }
}

public enum ModelVerifyOutcome
{
    /// <summary>Present and its sha256 matches the manifest (or the one recorded on first download).</summary>
    Verified,

    /// <summary>Present, but nothing to compare with: the computed sha256 is now recorded.</summary>
    Recorded,

    Missing,

    /// <summary>Present with the wrong sha256 (corrupt or replaced).</summary>
    Mismatch,
}

/// <summary>The result of checking one model file.</summary>
public sealed record ModelVerifyResult(string Expert, string Name, string Path, ModelVerifyOutcome Outcome, string? ActualSha256, string? ExpectedSha256)
{
    public bool Ok => Outcome is ModelVerifyOutcome.Verified or ModelVerifyOutcome.Recorded;
}

/// <summary>The result of fetching one model file.</summary>
public sealed record ModelFetchResult(string Expert, string Name, string Path, bool Downloaded, long Size, string Sha256)
{
    /// <summary>The source that served a downloaded file.</summary>
    public string? Source { get; init; }
}
