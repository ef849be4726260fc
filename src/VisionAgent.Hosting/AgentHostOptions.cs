using System.Reflection;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;
using VisionAgent.ExternalExperts;
using VisionAgent.Onnx;

namespace VisionAgent.Hosting;

/// <summary>What the host needs beyond the configuration file: the run's own choices.</summary>
public sealed record AgentHostOptions
{
    public required VisionAgentConfig Config { get; init; }

    /// <summary>Where produced images go; default a new folder under the data folder's sessions.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Never download models (a missing one becomes a message).</summary>
    public bool OfflineModels { get; init; }

    /// <summary>Model paths from the command line: expert, then model name, then path.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ModelOverrides { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public IProgress<ExpertProgress>? Progress { get; init; }

    /// <summary>An ONNX session pool shared by several hosts in one process (not disposed by them); null builds one per host.</summary>
    public OnnxSessionPool? SharedOnnx { get; init; }

    /// <summary>One-line warnings (CUDA fallback, skipped plugins).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The data folder (<c>VISIONAGENT_HOME</c>).</summary>
    public string? Home { get; init; }

    /// <summary>The session id used for the output folder and the session log.</summary>
    public string SessionId { get; init; } = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>Assemblies holding public <see cref="IExpertModule"/> types; null takes the built-in ones beside the host.</summary>
    public IReadOnlyList<Assembly>? ExpertAssemblies { get; init; }

    /// <summary>
    /// Plugin folders and MCP servers started once and shared by several hosts (not disposed by them); null makes
    /// the host find its own from the configuration.
    /// </summary>
    public ExternalExpertSources? External { get; init; }

    /// <summary>Whether a host that finds its own external experts starts the configured MCP servers (not for <c>visionagent mcp</c>, which may be one of them).</summary>
    public bool StartMcpServers { get; init; } = true;

    /// <summary>Experts from other sources, beside the built-in and external ones.</summary>
    public IReadOnlyList<ExpertEntry> ExtraExperts { get; init; } = [];

    /// <summary>Experts that need the host's image store or services, created once those exist.</summary>
    public Func<AgentHost, IEnumerable<ExpertEntry>>? ExpertFactory { get; init; }

    /// <summary>Makes the hook that sees every tool call before it runs (recording, replaying expert results); it may use the host's image store.</summary>
    public Func<AgentHost, IToolCallInterceptor?>? Interceptor { get; init; }
}
