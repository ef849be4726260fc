using YamlDotNet.Serialization;

namespace VisionAgent.Core.Configuration;

/// <summary>The contents of <c>visionagent.yaml</c>; every section is optional.</summary>
public sealed class VisionAgentConfig
{
    public LlmConfig Llm { get; set; } = new();
    public AgentConfig Agent { get; set; } = new();
    public OnnxConfig Onnx { get; set; } = new();
    public ImagesConfig Images { get; set; } = new();

    /// <summary>Per-expert configuration: model file paths and settings.</summary>
    public Dictionary<string, ExpertConfig> Experts { get; set; } = [];

    /// <summary>Extra folders scanned for plugins.</summary>
    public List<string> Plugins { get; set; } = [];

    /// <summary>MCP servers whose tools become experts.</summary>
    public Dictionary<string, McpServerConfig> McpServers { get; set; } = [];

    /// <summary>Where models are cached; default under the data folder.</summary>
    public string? ModelsDir { get; set; }
}

public sealed class LlmConfig
{
    /// <summary>openai (any OpenAI-compatible endpoint) or offline.</summary>
    public string? Provider { get; set; }
    public string? Endpoint { get; set; }
    public string? Model { get; set; }
    public string? ApiKey { get; set; }

    /// <summary>The model can see images: they are attached to the user's message too.</summary>
    public bool Vision { get; set; }

    public double Temperature { get; set; }
    public int MaxTokens { get; set; } = 1024;

    /// <summary>Per-attempt timeout; local models can be slow, so the default is generous.</summary>
    public double TimeoutSeconds { get; set; } = 120;
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the exponential back-off between retries (Retry-After wins when sent).</summary>
    public double RetryDelaySeconds { get; set; } = 2;

    /// <summary>Show the model's thought as it is written (human output on a terminal only; <c>--no-stream</c> turns it off).</summary>
    public bool Stream { get; set; } = true;

    /// <summary>
    /// A streamed reply that sends nothing for this long, before its first token or between two, is given up and asked
    /// for again; the whole reply is still bound by <see cref="TimeoutSeconds"/>.
    /// </summary>
    public double StreamIdleSeconds { get; set; } = 60;
}

public sealed class AgentConfig
{
    public int MaxSteps { get; set; } = 8;
    public double TimeoutSeconds { get; set; } = 300;

    public const string ReactMode = "react";
    public const string ToolsMode = "tools";

    /// <summary>react (text protocol) or tools (native function calling), as written in visionagent.yaml.</summary>
    public string Mode { get; set; } = ReactMode;

    /// <summary>The mode as the loop takes it; the loader has already refused any other value.</summary>
    public Agent.AgentMode ParsedMode => Mode == ToolsMode ? Agent.AgentMode.Tools : Agent.AgentMode.React;

    /// <summary>How many past turns of a chat stay in the prompt.</summary>
    public int HistoryTurns { get; set; } = 12;
}

public sealed class OnnxConfig
{
    public string Device { get; set; } = "cpu";
    public int Gpu { get; set; }
    public int Threads { get; set; }

    /// <summary>Save each model's optimised graph in the model cache on first load and load that afterwards (CPU).</summary>
    public bool CacheOptimized { get; set; } = true;
}

/// <summary>The <c>images:</c> limits; a value left out keeps the image loader's default (<c>ImageLimits</c>, the one source of them).</summary>
public sealed class ImagesConfig
{
    public int? MaxWidth { get; set; }
    public int? MaxHeight { get; set; }
    public double? MaxMegapixels { get; set; }
    /// <summary>The largest single buffer the image decoder may allocate, in MiB (<c>images.memory_limit_mb</c>).</summary>
    [YamlMember(Alias = "memory_limit_mb")]
    public int? MemoryLimitMegabytes { get; set; }
}

public sealed class ExpertConfig
{
    /// <summary>Model name to file path, overriding the cache.</summary>
    public Dictionary<string, string> Models { get; set; } = [];
    public Dictionary<string, string> Settings { get; set; } = [];
    public bool Enabled { get; set; } = true;
}

public sealed class McpServerConfig
{
    public required string Command { get; set; }
    public List<string> Args { get; set; } = [];
    public Dictionary<string, string> Env { get; set; } = [];
}
