using VisionAgent.Abstractions;

namespace VisionAgent.ModelStore;

/// <summary>How a <see cref="ModelCache"/> finds, fetches and checks experts' model files.</summary>
public sealed record ModelCacheOptions
{
    /// <summary>The cache folder; null means <see cref="DefaultDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>When true nothing is downloaded: missing files raise <see cref="ModelMissingException"/>.</summary>
    public bool Offline { get; init; }

    /// <summary>Files the user named (config <c>experts.X.models</c> or <c>--model</c>): expert -> model name -> path.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Overrides { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public IReadOnlyList<ExpertManifest> Manifests { get; init; } = [];

    public IProgress<ExpertProgress>? Progress { get; init; }

    /// <summary>One-line notes while fetching (a source that failed and the next one tried).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Fetches npm and NuGet packages; the default runs the ordinary <c>npm</c> and <c>dotnet</c> clients.</summary>
    public IPackageFetcher? PackageFetcher { get; init; }

    /// <summary>Used for url sources; a shared default client when null.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// <c>$VISIONAGENT_MODELS</c>, else <c>$VISIONAGENT_HOME/models</c>, else <c>~/.visionagent/models</c>.
    /// </summary>
    public static string DefaultDirectory()
    {
        var models = Environment.GetEnvironmentVariable("VISIONAGENT_MODELS");
        if (!string.IsNullOrWhiteSpace(models)) return Path.GetFullPath(models);
        var home = Environment.GetEnvironmentVariable("VISIONAGENT_HOME");
        if (!string.IsNullOrWhiteSpace(home)) return Path.GetFullPath(Path.Combine(home, "models"));
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".visionagent", "models");
    }
}
