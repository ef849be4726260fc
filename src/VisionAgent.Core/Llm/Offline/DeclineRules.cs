using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Llm.Offline;

/// <summary>The offline planner's data file, <c>prompts/offline-planner.yaml</c>.</summary>
public sealed class OfflinePlannerPrompt
{
    public DeclineRules Declines { get; init; } = new();

    /// <summary>The shipped file; an empty rule set when it is not beside the binaries.</summary>
    public static OfflinePlannerPrompt Load(PromptLibrary prompts) =>
        File.Exists(Path.Combine(prompts.Directory, "offline-planner.yaml")) ? prompts.Load<OfflinePlannerPrompt>("offline-planner") : new();
}

/// <summary>
/// Requests the planner turns down, matched by meaning against the experts' examples: those only an LLM can answer
/// (<see cref="Examples"/>, <see cref="Keywords"/>), and operations no built-in expert performs
/// (<see cref="Unsupported"/>: mirroring, sharpening, format conversion), which would otherwise go to the nearest
/// expert that does something else.
/// </summary>
public sealed class DeclineRules
{
    public List<string> Examples { get; init; } = [];

    public List<string> Keywords { get; init; } = [];

    public UnsupportedOperations Unsupported { get; init; } = new();
}

/// <summary>Operations no built-in expert performs: examples matched by meaning, and keywords that name them outright.</summary>
public sealed class UnsupportedOperations
{
    public List<string> Examples { get; init; } = [];

    public List<string> Keywords { get; init; } = [];
}
