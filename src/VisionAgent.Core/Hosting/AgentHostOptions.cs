using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Core.Hosting;

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
    public VisionAgent.Onnx.OnnxSessionPool? SharedOnnx { get; init; }

    /// <summary>One-line warnings (CUDA fallback, skipped plugins).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The data folder (<c>VISIONAGENT_HOME</c>).</summary>
    public string? Home { get; init; }

    /// <summary>The session id used for the output folder and the session log.</summary>
    public string SessionId { get; init; } = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
}
