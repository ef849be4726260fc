namespace VisionAgent.Core.Agent;

/// <summary>Limits and behaviour of the loop.</summary>
public sealed record AgentOptions
{
    public int MaxSteps { get; init; } = 8;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public AgentMode Mode { get; init; } = AgentMode.React;

    public bool Vision { get; init; }
    public int HistoryTurns { get; init; } = 12;
    public double Temperature { get; init; }
    public int MaxTokens { get; init; } = 1024;
}

/// <summary>Which LLM answers, for traces and reports.</summary>
public sealed record LlmIdentity(string Provider, string Model);
