using System.Globalization;
using VisionAgent.Abstractions;

namespace VisionAgent.Core.Configuration;

/// <summary>
/// Checks a loaded configuration: no empty sections or entries, every number finite and within its range, every
/// choice one of its values, every path free of NUL. The first problem is a <see cref="BadInputException"/>
/// (<c>origin: key: what is wrong; allowed: range</c>), exit code 3.
/// </summary>
internal static class ConfigValidator
{
    private sealed record NumberRule(string Key, Func<VisionAgentConfig, double?> Read, double Min, double Max, bool WholeNumber);

    private static readonly NumberRule[] Numbers =
    [
        new("llm.temperature", c => c.Llm.Temperature, 0, 2, false),
        new("llm.max_tokens", c => c.Llm.MaxTokens, 1, 1_048_576, true),
        new("llm.timeout_seconds", c => c.Llm.TimeoutSeconds, 0.1, 86_400, false),
        new("llm.max_retries", c => c.Llm.MaxRetries, 0, 10, true),
        new("llm.retry_delay_seconds", c => c.Llm.RetryDelaySeconds, 0, 600, false),
        new("llm.stream_idle_seconds", c => c.Llm.StreamIdleSeconds, 0.1, 86_400, false),
        new("agent.max_steps", c => c.Agent.MaxSteps, 1, 100, true),
        new("agent.timeout_seconds", c => c.Agent.TimeoutSeconds, 0.1, 86_400, false),
        new("agent.history_turns", c => c.Agent.HistoryTurns, 0, 1000, true),
        new("onnx.gpu", c => c.Onnx.Gpu, 0, 63, true),
        new("onnx.threads", c => c.Onnx.Threads, 0, 1024, true),
        new("images.max_width", c => c.Images.MaxWidth, 1, 65_535, true),
        new("images.max_height", c => c.Images.MaxHeight, 1, 65_535, true),
        new("images.max_megapixels", c => c.Images.MaxMegapixels, 0.01, 4096, false),
        new("images.memory_limit_mb", c => c.Images.MemoryLimitMegabytes, 16, 65_536, true),
    ];

    /// <summary>What YAML can leave null: an empty section, list or entry (<c>llm:</c> with nothing under it).</summary>
    public static void CheckStructure(VisionAgentConfig config, ConfigOrigins origins)
    {
        Require(config.Llm, "llm", origins);
        Require(config.Agent, "agent", origins);
        Require(config.Onnx, "onnx", origins);
        Require(config.Images, "images", origins);
        Require(config.Plugins, "plugins", origins);
        Require(config.Experts, "experts", origins);
        Require(config.McpServers, "mcp_servers", origins);
        Require(config.Agent.Mode, "agent.mode", origins);
        Require(config.Onnx.Device, "onnx.device", origins);
        for (var i = 0; i < config.Plugins.Count; i++) Require(config.Plugins[i], Indexed("plugins", i), origins);
        foreach (var (name, expert) in config.Experts)
        {
            Require(expert, $"experts.{name}", origins);
            Require(expert.Models, $"experts.{name}.models", origins);
            Require(expert.Settings, $"experts.{name}.settings", origins);
            foreach (var (model, path) in expert.Models) Require(path, $"experts.{name}.models.{model}", origins);
            foreach (var (setting, value) in expert.Settings) Require(value, $"experts.{name}.settings.{setting}", origins);
        }
        foreach (var (name, server) in config.McpServers)
        {
            Require(server, $"mcp_servers.{name}", origins);
            Require(server.Command, $"mcp_servers.{name}.command", origins);
            Require(server.Args, $"mcp_servers.{name}.args", origins);
            Require(server.Env, $"mcp_servers.{name}.env", origins);
            for (var i = 0; i < server.Args.Count; i++) Require(server.Args[i], Indexed($"mcp_servers.{name}.args", i), origins);
            foreach (var (variable, value) in server.Env) Require(value, $"mcp_servers.{name}.env.{variable}", origins);
        }
    }

    public static void Validate(VisionAgentConfig config, ConfigOrigins origins)
    {
        foreach (var rule in Numbers)
        {
            // A value left out (null) keeps its default, which is in range.
            if (rule.Read(config) is not { } value) continue;
            if (double.IsFinite(value) && value >= rule.Min && value <= rule.Max) continue;
            var shown = double.IsNaN(value) ? "not a number" : double.IsInfinity(value) ? "infinite" : value.ToString("G", CultureInfo.InvariantCulture);
            var range = $"{Show(rule.Min)} to {Show(rule.Max)}{(rule.WholeNumber ? "" : " (decimals allowed)")}";
            Fail(origins, rule.Key, $"{shown} is out of range; allowed: {range}");
        }
        OneOf(config.Agent.Mode, "agent.mode", origins, "react", "tools");
        OneOf(config.Onnx.Device, "onnx.device", origins, "cpu", "cuda");
        if (config.Llm.Provider is { } provider) OneOf(provider, "llm.provider", origins, "openai", "offline", "replay");
        if (config.Llm.Endpoint is { } endpoint && !IsHttp(endpoint))
            Fail(origins, "llm.endpoint", $"'{QuotedText.Excerpt(endpoint)}' is not an http(s) URL; allowed: an OpenAI-compatible base URL such as http://localhost:11434/v1");
        foreach (var (key, text) in TextValues(config))
        {
            if (text.Contains('\0')) Fail(origins, key, "contains a NUL character; allowed: text without control characters");
        }
        foreach (var (key, path) in PathValues(config))
        {
            if (string.IsNullOrWhiteSpace(path)) Fail(origins, key, "is empty; allowed: a file or folder path");
        }
    }

    private static IEnumerable<(string Key, string Value)> TextValues(VisionAgentConfig config)
    {
        foreach (var pair in PathValues(config)) yield return pair;
        foreach (var (key, value) in new[]
                 {
                     ("llm.provider", config.Llm.Provider), ("llm.endpoint", config.Llm.Endpoint), ("llm.model", config.Llm.Model),
                     ("llm.api_key", config.Llm.ApiKey), ("agent.mode", config.Agent.Mode), ("onnx.device", config.Onnx.Device),
                 })
        {
            if (value is not null) yield return (key, value);
        }
        foreach (var (name, expert) in config.Experts)
        {
            foreach (var (setting, value) in expert.Settings) yield return ($"experts.{name}.settings.{setting}", value);
        }
        foreach (var (name, server) in config.McpServers)
        {
            for (var i = 0; i < server.Args.Count; i++) yield return (Indexed($"mcp_servers.{name}.args", i), server.Args[i]);
            foreach (var (variable, value) in server.Env) yield return ($"mcp_servers.{name}.env.{variable}", value);
        }
    }

    private static IEnumerable<(string Key, string Value)> PathValues(VisionAgentConfig config)
    {
        if (config.ModelsDir is not null) yield return ("models_dir", config.ModelsDir);
        for (var i = 0; i < config.Plugins.Count; i++) yield return (Indexed("plugins", i), config.Plugins[i]);
        foreach (var (name, expert) in config.Experts)
        {
            foreach (var (model, path) in expert.Models) yield return ($"experts.{name}.models.{model}", path);
        }
        foreach (var (name, server) in config.McpServers) yield return ($"mcp_servers.{name}.command", server.Command);
    }

    private static void Require(object? value, string key, ConfigOrigins origins)
    {
        if (value is null) Fail(origins, key, "is empty; give it a value or remove the key");
    }

    private static void OneOf(string value, string key, ConfigOrigins origins, params string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
            Fail(origins, key, $"'{QuotedText.Excerpt(value)}' is not allowed; allowed: {string.Join(", ", allowed)}");
    }

    private static void Fail(ConfigOrigins origins, string key, string problem) =>
        throw new BadInputException($"{origins.Of(key)}: {key} {problem}");

    private static string Indexed(string key, int index) => string.Create(CultureInfo.InvariantCulture, $"{key}[{index}]");

    private static string Show(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static bool IsHttp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
