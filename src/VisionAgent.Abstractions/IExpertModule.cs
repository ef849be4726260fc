namespace VisionAgent.Abstractions;

/// <summary>
/// The integrator's seam. A plugin assembly holds one public class implementing this interface and embeds
/// (or ships beside it) an <c>expert.yaml</c> manifest. <see cref="CreatePlugin"/> returns an object whose
/// <c>[KernelFunction]</c> methods are the expert's tools; each takes an image handle and returns an
/// <see cref="ExpertResult"/>.
/// </summary>
public interface IExpertModule
{
    object CreatePlugin(ExpertContext context);
}

/// <summary>What the host gives an expert when it is created.</summary>
public sealed class ExpertContext
{
    public required ExpertManifest Manifest { get; init; }

    public required IImageStore Images { get; init; }

    public required IModelLocator Models { get; init; }

    /// <summary>The manifest's settings overlaid with the user's configuration for this expert.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Host services: the ONNX session pool, the untrusted-text marker, logging, ...</summary>
    public required IServiceProvider Services { get; init; }

    public IProgress<ExpertProgress>? Progress { get; init; }

    public T GetRequiredService<T>() where T : class =>
        Services.GetService(typeof(T)) as T
        ?? throw new VisionAgentException($"the host provides no {typeof(T).Name} to expert '{Manifest.Name}'");

    public string? Setting(string key) => Settings.TryGetValue(key, out var value) ? value : null;
}

/// <summary>Finds an expert's model files: configured paths first, then the model cache (fetching when allowed).</summary>
public interface IModelLocator
{
    /// <summary>True when the file is present (configured or cached) without fetching anything.</summary>
    bool IsAvailable(string expert, string modelName);

    /// <summary>The path of the file, fetching it on first use when the manifest allows; else <see cref="ModelMissingException"/>.</summary>
    Task<string> GetPathAsync(string expert, string modelName, CancellationToken cancellationToken);
}
