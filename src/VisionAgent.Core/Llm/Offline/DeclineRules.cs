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

/// <summary>Requests only an LLM can answer: examples matched by meaning against the experts' examples, and keywords.</summary>
public sealed class DeclineRules
{
    public List<string> Examples { get; init; } = [];

    public List<string> Keywords { get; init; } = [];
}
