using VisionAgent.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace VisionAgent.Core.Configuration;

/// <summary>Values given on the command line; they win over the environment and the file.</summary>
public sealed record ConfigOverrides
{
    public string? ConfigPath { get; init; }
    public string? LlmProvider { get; init; }
    public string? LlmEndpoint { get; init; }
    public string? LlmModel { get; init; }
    public bool? LlmVision { get; init; }
    public int? MaxSteps { get; init; }
    public double? TimeoutSeconds { get; init; }
    public string? Mode { get; init; }
    public string? Device { get; init; }
}

/// <summary>
/// Loads configuration in layers: <c>visionagent.yaml</c> (working directory, <c>--config</c> or
/// <c>VISIONAGENT_CONFIG</c>), then <c>VISIONAGENT_*</c> environment variables, then flags.
/// </summary>
public static class ConfigLoader
{
    public const string FileName = "visionagent.yaml";

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .WithMaximumRecursion(64)
        .Build();

    public static VisionAgentConfig Load(ConfigOverrides overrides, Func<string, string?>? environment = null, string? workingDirectory = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var path = overrides.ConfigPath ?? environment("VISIONAGENT_CONFIG");
        if (path is null)
        {
            var candidate = Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), FileName);
            if (File.Exists(candidate)) path = candidate;
        }
        else if (!File.Exists(path))
        {
            throw new BadInputException($"config file not found: {path}");
        }

        var config = path is null ? new VisionAgentConfig() : Parse(File.ReadAllText(path), path);
        ApplyEnvironment(config, environment);
        ApplyOverrides(config, overrides);
        Validate(config, path ?? "configuration");
        return config;
    }

    public static VisionAgentConfig Parse(string yaml, string source)
    {
        try
        {
            return Deserializer.Deserialize<VisionAgentConfig>(yaml) ?? new VisionAgentConfig();
        }
        catch (YamlException ex)
        {
            var detail = (ex.InnerException?.Message ?? ex.Message).Split('\n')[0];
            throw new BadInputException($"{source}:{ex.Start.Line}: invalid configuration: {detail}", ex);
        }
    }

    private static void ApplyEnvironment(VisionAgentConfig config, Func<string, string?> environment)
    {
        if (environment("VISIONAGENT_LLM_ENDPOINT") is { Length: > 0 } endpoint) config.Llm.Endpoint = endpoint;
        if (environment("VISIONAGENT_LLM_MODEL") is { Length: > 0 } model) config.Llm.Model = model;
        if (environment("VISIONAGENT_LLM_API_KEY") is { Length: > 0 } key) config.Llm.ApiKey = key;
        if (environment("VISIONAGENT_LLM_PROVIDER") is { Length: > 0 } provider) config.Llm.Provider = provider;
        if (environment("VISIONAGENT_MODELS") is { Length: > 0 } models) config.ModelsDir = models;
    }

    private static void ApplyOverrides(VisionAgentConfig config, ConfigOverrides o)
    {
        if (o.LlmProvider is not null) config.Llm.Provider = o.LlmProvider;
        if (o.LlmEndpoint is not null) config.Llm.Endpoint = o.LlmEndpoint;
        if (o.LlmModel is not null) config.Llm.Model = o.LlmModel;
        if (o.LlmVision is not null) config.Llm.Vision = o.LlmVision.Value;
        if (o.MaxSteps is not null) config.Agent.MaxSteps = o.MaxSteps.Value;
        if (o.TimeoutSeconds is not null) config.Agent.TimeoutSeconds = o.TimeoutSeconds.Value;
        if (o.Mode is not null) config.Agent.Mode = o.Mode;
        if (o.Device is not null) config.Onnx.Device = o.Device;
    }

    private static void Validate(VisionAgentConfig config, string source)
    {
        if (config.Agent.MaxSteps is < 1 or > 100)
            throw new BadInputException($"{source}: max steps must be between 1 and 100 (got {config.Agent.MaxSteps})");
        if (config.Agent.TimeoutSeconds <= 0)
            throw new BadInputException($"{source}: the agent timeout must be positive");
        if (config.Agent.Mode is not (AgentConfig.ReactMode or AgentConfig.ToolsMode))
            throw new BadInputException($"{source}: mode must be react or tools (got '{config.Agent.Mode}')");
        if (config.Onnx.Device is not ("cpu" or "cuda"))
            throw new BadInputException($"{source}: device must be cpu or cuda (got '{config.Onnx.Device}')");
        if (config.Llm.Provider is { } p && p is not ("openai" or "offline" or "replay"))
            throw new BadInputException($"{source}: llm provider must be openai or offline (got '{p}')");
        if (config.Llm.Endpoint is not null && !IsHttp(config.Llm.Endpoint))
            throw new BadInputException($"{source}: llm endpoint must be an http(s) URL (got '{config.Llm.Endpoint}')");
        if (config.Images is { MaxWidth: <= 0 } or { MaxHeight: <= 0 } or { MaxMegapixels: <= 0 } or { MemoryLimitMegabytes: <= 0 })
            throw new BadInputException($"{source}: images limits must be positive");
        if (config.Llm.TimeoutSeconds <= 0 || config.Llm.MaxRetries < 0)
            throw new BadInputException($"{source}: llm timeout must be positive and retries not negative");
    }

    private static bool IsHttp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>True when a real LLM is configured (an endpoint, or a model for the default OpenAI endpoint with a key).</summary>
    public static bool HasLlm(VisionAgentConfig config) =>
        config.Llm.Provider != "offline" && (config.Llm.Endpoint is not null || config.Llm.ApiKey is not null && config.Llm.Model is not null);
}
