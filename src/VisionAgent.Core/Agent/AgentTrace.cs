using VisionAgent.Abstractions;

namespace VisionAgent.Core.Agent;

/// <summary>How a run ended.</summary>
public static class RunStatus
{
    public const string Answered = "answered";
    public const string StepLimit = "step_limit";
    public const string Timeout = "timeout";
    public const string Cancelled = "cancelled";
    public const string Error = "error";
}

/// <summary>One action and its observation (or one unusable reply and the correction sent back).</summary>
public sealed record AgentStep
{
    public string? Thought { get; init; }
    public string? Action { get; init; }
    public string? Input { get; init; }
    public required string Observation { get; init; }
    public long DurationMs { get; init; }

    /// <summary>True when the step was a correction (unparseable reply, unknown tool, bad argument, failed expert).</summary>
    public bool Failed { get; init; }

    public IReadOnlyList<string> ImagesProduced { get; init; } = [];

    /// <summary>What the parser repaired in the model's input for this step (a missing brace, single quotes, ...).</summary>
    public IReadOnlyList<string> Repairs { get; init; } = [];
}

public sealed record TokenUsage(int Prompt, int Completion)
{
    public int Total => Prompt + Completion;
    public static TokenUsage operator +(TokenUsage a, TokenUsage b) => new(a.Prompt + b.Prompt, a.Completion + b.Completion);
}

/// <summary>The outcome of one question: status, answer, every step, and the images of the session.</summary>
public sealed record AgentRunResult
{
    public required string Status { get; init; }
    public string? Answer { get; init; }
    public string? Error { get; init; }
    public IReadOnlyList<AgentStep> Steps { get; init; } = [];
    public IReadOnlyList<ImageRecord> Images { get; init; } = [];
    public required string Provider { get; init; }
    public required string Model { get; init; }
    public TokenUsage Tokens { get; init; } = new(0, 0);
    public int LlmCalls { get; init; }
    public long DurationMs { get; init; }
    public long LlmMs { get; init; }
    public long ExpertMs { get; init; }

    /// <summary>The CLI exit code this outcome maps to.</summary>
    public int ErrorCode { get; init; }
}

/// <summary>What the loop reports as it goes, for live rendering and session logs.</summary>
public abstract record AgentEvent;

public sealed record LlmRequestStarted(int Step) : AgentEvent;

public sealed record ThoughtEvent(string Thought) : AgentEvent;

public sealed record ActionEvent(string Tool, string Input) : AgentEvent;

public sealed record ObservationEvent(AgentStep Step) : AgentEvent;

public sealed record AnswerEvent(AgentRunResult Result) : AgentEvent;

/// <summary>Receives the loop's events synchronously, in order.</summary>
public interface IAgentObserver
{
    void OnEvent(AgentEvent agentEvent);
}

public sealed class NullAgentObserver : IAgentObserver
{
    public static NullAgentObserver Instance { get; } = new();

    public void OnEvent(AgentEvent agentEvent)
    {
    }
}
