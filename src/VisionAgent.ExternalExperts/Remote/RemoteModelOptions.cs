using System.Globalization;
using VisionAgent.Abstractions;

namespace VisionAgent.ExternalExperts.Remote;

/// <summary>
/// Where a remote expert's model is served and how to call it: the manifest's <c>remote:</c> section (or, with
/// <c>kind: remote</c>, its settings). Keys: url, model, version, timeout_seconds, retries, retry_delay_seconds,
/// input, output, processing.
/// </summary>
public sealed record RemoteModelOptions
{
    public required Uri Url { get; init; }
    public required string Model { get; init; }
    public string? Version { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public int Retries { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);
    public string Input { get; init; } = "input";
    public string Output { get; init; } = "output";

    /// <summary>The local pre- and post-processing around the served model (classifier).</summary>
    public string Processing { get; init; } = "classifier";

    public static RemoteModelOptions From(IReadOnlyDictionary<string, string> values, string expert)
    {
        string? Get(string key) => values.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var url = Get("url") ?? throw new BadInputException($"{expert}: a remote expert needs remote.url (the inference server's base URL)");
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new BadInputException($"{expert}: remote.url '{url}' must be an http(s) URL");
        var model = Get("model") ?? Get("model_name") ?? throw new BadInputException($"{expert}: a remote expert needs remote.model (the served model's name)");
        var result = new RemoteModelOptions { Url = uri, Model = model, Version = Get("version") };
        if ((Get("timeout_seconds") ?? Get("timeout")) is { } timeout)
            result = result with { Timeout = TimeSpan.FromSeconds(Positive(timeout, "timeout_seconds", expert)) };
        if (Get("retries") is { } retries)
        {
            if (!int.TryParse(retries, CultureInfo.InvariantCulture, out var r) || r is < 0 or > 10)
                throw new BadInputException($"{expert}: remote.retries '{retries}' must be 0..10");
            result = result with { Retries = r };
        }
        if (Get("retry_delay_seconds") is { } delay) result = result with { RetryDelay = TimeSpan.FromSeconds(Positive(delay, "retry_delay_seconds", expert)) };
        return result with
        {
            Input = Get("input") ?? result.Input,
            Output = Get("output") ?? result.Output,
            Processing = Get("processing") ?? result.Processing,
        };
    }

    private static double Positive(string text, string key, string expert) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && v < 3600
            ? v
            : throw new BadInputException($"{expert}: remote.{key} '{text}' must be a positive number of seconds");
}
