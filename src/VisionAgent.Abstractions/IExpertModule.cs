using System.Globalization;

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

    /// <summary>
    /// The setting as a whole number within [<paramref name="min"/>, <paramref name="max"/>]; null when missing or blank,
    /// <see cref="BadInputException"/> when malformed or out of range.
    /// </summary>
    public int? SettingInt(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        if (SettingText(key) is not { } text) return null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Malformed(key, text, "a whole number" + Range(min, max, int.MinValue, int.MaxValue));
    }

    /// <summary>
    /// The setting as a finite number within [<paramref name="min"/>, <paramref name="max"/>]; null when missing or blank,
    /// <see cref="BadInputException"/> when malformed or out of range.
    /// </summary>
    public float? SettingFloat(string key, float min = float.MinValue, float max = float.MaxValue)
    {
        if (SettingText(key) is not { } text) return null;
        // Written so that NaN fails the range test.
        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Malformed(key, text, "a number" + Range(min, max, float.MinValue, float.MaxValue));
    }

    /// <summary>The setting as true or false (any case); null when missing or blank, <see cref="BadInputException"/> otherwise.</summary>
    public bool? SettingBool(string key)
    {
        if (SettingText(key) is not { } text) return null;
        return bool.TryParse(text, out var value) ? value : throw Malformed(key, text, "true or false");
    }

    private string? SettingText(string key) => Setting(key) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    private BadInputException Malformed(string key, string text, string expected) =>
        new($"setting {Manifest.Name}.{key} must be {expected}, not '{text}'");

    private static string Range<T>(T min, T max, T lowest, T highest) where T : IFormattable, IEquatable<T> =>
        (min.Equals(lowest), max.Equals(highest)) switch
        {
            (true, true) => "",
            (false, true) => $" of at least {Invariant(min)}",
            (true, false) => $" of at most {Invariant(max)}",
            _ => $" from {Invariant(min)} to {Invariant(max)}",
        };

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}

/// <summary>Finds an expert's model files: configured paths first, then the model cache (fetching when allowed).</summary>
public interface IModelLocator
{
    /// <summary>True when the file is present (configured or cached) without fetching anything.</summary>
    bool IsAvailable(string expert, string modelName);

    /// <summary>The path of the file, fetching it on first use when the manifest allows; else <see cref="ModelMissingException"/>.</summary>
    Task<string> GetPathAsync(string expert, string modelName, CancellationToken cancellationToken);
}
