using System.Globalization;
using VisionAgent.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
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
/// <c>VISIONAGENT_CONFIG</c>), then <c>VISIONAGENT_*</c> environment variables, then flags. Every problem is a
/// <see cref="BadInputException"/> naming where the value came from (file and line, variable or flag), the key
/// and what is allowed.
/// </summary>
public static class ConfigLoader
{
    public const string FileName = "visionagent.yaml";

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .WithMaximumRecursion(YamlInputGuard.MaxDepth + 8)
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
        else if (path.Contains('\0') || !File.Exists(path))
        {
            throw new BadInputException($"config file not found: {QuotedText.Excerpt(path, 200)}");
        }

        var (config, origins) = path is null ? (new VisionAgentConfig(), new ConfigOrigins("configuration")) : ParseWithOrigins(YamlInputGuard.ReadFile(path), path);
        ApplyEnvironment(config, environment, origins);
        ApplyOverrides(config, overrides, origins);
        ConfigValidator.Validate(config, origins);
        return config;
    }

    /// <summary>Reads configuration text; structural problems (bounds, syntax, empty sections) name <paramref name="source"/> and the line.</summary>
    public static VisionAgentConfig Parse(string yaml, string source) => ParseWithOrigins(yaml, source).Config;

    private static (VisionAgentConfig Config, ConfigOrigins Origins) ParseWithOrigins(string yaml, string source)
    {
        var origins = ConfigOrigins.FromTree(YamlInputGuard.LoadTree(yaml, source), source);
        VisionAgentConfig config;
        try
        {
            config = Deserializer.Deserialize<VisionAgentConfig>(yaml) ?? new VisionAgentConfig();
        }
        catch (YamlException ex)
        {
            throw new BadInputException(origins.Unreadable(ex), ex);
        }
        ConfigValidator.CheckStructure(config, origins);
        return (config, origins);
    }

    private static void ApplyEnvironment(VisionAgentConfig config, Func<string, string?> environment, ConfigOrigins origins)
    {
        if (environment("VISIONAGENT_LLM_ENDPOINT") is { Length: > 0 } endpoint) config.Llm.Endpoint = origins.Set("llm.endpoint", endpoint, "VISIONAGENT_LLM_ENDPOINT");
        if (environment("VISIONAGENT_LLM_MODEL") is { Length: > 0 } model) config.Llm.Model = origins.Set("llm.model", model, "VISIONAGENT_LLM_MODEL");
        if (environment("VISIONAGENT_LLM_API_KEY") is { Length: > 0 } key) config.Llm.ApiKey = origins.Set("llm.api_key", key, "VISIONAGENT_LLM_API_KEY");
        if (environment("VISIONAGENT_LLM_PROVIDER") is { Length: > 0 } provider) config.Llm.Provider = origins.Set("llm.provider", provider, "VISIONAGENT_LLM_PROVIDER");
        if (environment("VISIONAGENT_MODELS") is { Length: > 0 } models) config.ModelsDir = origins.Set("models_dir", models, "VISIONAGENT_MODELS");
    }

    private static void ApplyOverrides(VisionAgentConfig config, ConfigOverrides o, ConfigOrigins origins)
    {
        if (o.LlmProvider is not null) config.Llm.Provider = origins.Set("llm.provider", o.LlmProvider, "--llm");
        if (o.LlmEndpoint is not null) config.Llm.Endpoint = origins.Set("llm.endpoint", o.LlmEndpoint, "--llm-endpoint");
        if (o.LlmModel is not null) config.Llm.Model = origins.Set("llm.model", o.LlmModel, "--llm-model");
        if (o.LlmVision is not null) config.Llm.Vision = origins.Set("llm.vision", o.LlmVision.Value, "--llm-vision");
        if (o.MaxSteps is not null) config.Agent.MaxSteps = origins.Set("agent.max_steps", o.MaxSteps.Value, "--max-steps");
        if (o.TimeoutSeconds is not null) config.Agent.TimeoutSeconds = origins.Set("agent.timeout_seconds", o.TimeoutSeconds.Value, "--timeout");
        if (o.Mode is not null) config.Agent.Mode = origins.Set("agent.mode", o.Mode, "--mode");
        if (o.Device is not null) config.Onnx.Device = origins.Set("onnx.device", o.Device, "--device");
    }

    /// <summary>True when a real LLM is configured (an endpoint, or a model for the default OpenAI endpoint with a key).</summary>
    public static bool HasLlm(VisionAgentConfig config) =>
        config.Llm.Provider != "offline" && (config.Llm.Endpoint is not null || config.Llm.ApiKey is not null && config.Llm.Model is not null);
}

/// <summary>
/// Where each configuration value came from: a line of the file (keys as written there, such as
/// <c>llm.max_tokens</c> or <c>plugins[1]</c>), an environment variable or a flag.
/// </summary>
internal sealed class ConfigOrigins(string source)
{
    private readonly Dictionary<string, string> _origins = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, string> _keysByLine = [];
    private readonly Dictionary<(long Line, long Column), (string Key, Type Schema, string Text)> _scalars = [];
    private readonly Dictionary<string, Type> _schemas = new(StringComparer.Ordinal);

    public string Source { get; } = source;

    /// <summary>Records that <paramref name="key"/> now comes from <paramref name="origin"/>; returns the value.</summary>
    public T Set<T>(string key, T value, string origin)
    {
        _origins[key] = origin;
        return value;
    }

    /// <summary>
    /// Where a key's value came from: <c>file:line</c>, a variable or a flag. A key the file lacks is placed at its
    /// nearest parent that the file has (a missing <c>command</c> at its server's line); the file alone for defaults.
    /// </summary>
    public string Of(string key)
    {
        for (var k = key; k.Length > 0; k = k[..Math.Max(k.LastIndexOfAny(['.', '[']), 0)])
        {
            if (_origins.TryGetValue(k, out var origin)) return origin;
        }
        return Source;
    }

    /// <summary>The last key that starts on or before <paramref name="line"/>, to name the key of a parse error.</summary>
    public string? KeyAt(long line) => _keysByLine.LastOrDefault(k => k.Key <= line).Value;

    /// <summary>
    /// The one-line message for a value the deserializer could not read: the key and what it expects in plain
    /// words, from the declared type of the key at the error's position (never the deserializer's own wording,
    /// which names .NET types).
    /// </summary>
    public string Unreadable(YamlException error)
    {
        var line = error.Start.Line;
        if (_scalars.TryGetValue((line, error.Start.Column), out var scalar))
        {
            var tooLarge = error.InnerException is OverflowException ? " (too large)" : "";
            return string.Create(CultureInfo.InvariantCulture, $"{Source}:{line}: {(scalar.Key.Length == 0 ? "the file" : scalar.Key)} expects {Expected(scalar.Schema)}, got '{QuotedText.Excerpt(scalar.Text)}'{tooLarge}");
        }
        if (error.InnerException is null && !string.IsNullOrWhiteSpace(error.Message) && !error.Message.Contains("Exception", StringComparison.Ordinal))
        {
            // The reader's own structural complaints (a duplicate key, an unknown tag) are plain already.
            return string.Create(CultureInfo.InvariantCulture, $"{Source}:{line}: {(KeyAt(line) is { } k ? k + ": " : "")}{FirstLine(error.Message)}");
        }
        var key = KeyAt(line);
        var expected = key is not null && _schemas.TryGetValue(key, out var schema) ? $"; expected {Expected(schema)}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{Source}:{line}: {key ?? "the value"} cannot be read here{expected}");
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0].Trim();
        // The reader prefixes positions of its own, "(Line: 3, Col: 5, Idx: 20) - (...): "; the file:line says it.
        var end = line.LastIndexOf("): ", StringComparison.Ordinal);
        return QuotedText.Excerpt(line.StartsWith("(Line", StringComparison.Ordinal) && end > 0 ? line[(end + 3)..] : line, 200);
    }

    /// <summary>Records every key of the file with its line, and refuses a key the configuration does not have, listing those it does.</summary>
    public static ConfigOrigins FromTree(YamlStream tree, string source)
    {
        var origins = new ConfigOrigins(source);
        if (tree.Documents.Count > 0) origins.Walk(tree.Documents[0].RootNode, "", typeof(VisionAgentConfig));
        return origins;
    }

    private void Walk(YamlNode node, string path, Type? schema)
    {
        if (schema is not null && path.Length > 0)
        {
            _schemas.TryAdd(path, schema);
            CheckShape(node, path, schema);
        }
        switch (node)
        {
            case YamlMappingNode mapping:
                var dictionaryValues = schema is null ? null : ValueKinds.DictionaryValueType(schema);
                var properties = dictionaryValues is null && schema is { IsClass: true } && schema != typeof(string) ? YamlProperties(schema) : null;
                foreach (var (key, value) in mapping.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? "?";
                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    Record(child, key.Start.Line);
                    Type? childSchema = dictionaryValues;
                    if (properties is not null && !properties.TryGetValue(name, out childSchema))
                    {
                        throw new BadInputException(string.Create(CultureInfo.InvariantCulture,
                            $"{Source}:{key.Start.Line}: {QuotedText.Excerpt(child)} is not a known key{NearestName.Hint(name, properties.Keys)}; allowed{(path.Length == 0 ? "" : " under " + path)}: {string.Join(", ", properties.Keys)}"));
                    }
                    Walk(value, child, childSchema);
                }
                break;
            case YamlSequenceNode sequence:
                var items = schema is null ? null : ValueKinds.ElementType(schema);
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var child = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
                    Record(child, sequence.Children[i].Start.Line);
                    Walk(sequence.Children[i], child, items);
                }
                break;
            case YamlScalarNode scalar when schema is not null:
                _scalars.TryAdd((scalar.Start.Line, scalar.Start.Column), (path, schema, scalar.Value ?? ""));
                break;
        }
    }

    /// <summary>A section where one value belongs, or one value where a section or list belongs, named with what the key expects.</summary>
    private void CheckShape(YamlNode node, string path, Type schema)
    {
        var scalarExpected = ValueKinds.IsScalar(schema);
        var given = node switch
        {
            YamlMappingNode when scalarExpected || ValueKinds.ElementType(schema) is not null => "a section",
            YamlSequenceNode when scalarExpected || ValueKinds.ElementType(schema) is null => "a list",
            YamlScalarNode scalar when !scalarExpected && !IsNull(scalar) => $"'{QuotedText.Excerpt(scalar.Value ?? "")}'",
            _ => null,
        };
        if (given is not null)
            throw new BadInputException(string.Create(CultureInfo.InvariantCulture, $"{Source}:{node.Start.Line}: {path} expects {Expected(schema)}, got {given}"));
    }

    /// <summary>What a key expects, in plain words; a section lists its keys.</summary>
    private static string Expected(Type schema) =>
        schema.IsClass && !ValueKinds.IsScalar(schema) && ValueKinds.ElementType(schema) is null && ValueKinds.DictionaryValueType(schema) is null
            ? $"a section with the keys {string.Join(", ", YamlProperties(schema).Keys)}"
            : ValueKinds.Describe(schema);

    /// <summary>An empty value (nothing, <c>~</c>, <c>null</c>): the structure check names those as empty.</summary>
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>A configuration class's keys as the file spells them, in declaration order, with their types.</summary>
    private static Dictionary<string, Type> YamlProperties(Type type)
    {
        var keys = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var alias = (property.GetCustomAttributes(typeof(YamlMemberAttribute), inherit: true).FirstOrDefault() as YamlMemberAttribute)?.Alias;
            keys[alias ?? UnderscoredNamingConvention.Instance.Apply(property.Name)] = property.PropertyType;
        }
        return keys;
    }

    private void Record(string key, long line)
    {
        _origins.TryAdd(key, string.Create(CultureInfo.InvariantCulture, $"{Source}:{line}"));
        _keysByLine.TryAdd(line, key);
    }
}
