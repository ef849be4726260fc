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

    /// <summary>Stream ReAct replies, so the thought is shown as it arrives (<see cref="ThoughtDeltaEvent"/>).</summary>
    public bool Stream { get; init; }

    /// <summary>How often a streamed reply that broke off half-way is asked for again (<c>llm.max_retries</c>).</summary>
    public int StreamRetries { get; init; } = 3;
}

/// <summary>Which LLM answers, for traces and reports.</summary>
public sealed record LlmIdentity(string Provider, string Model);
