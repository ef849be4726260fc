using System.Text.Json;
using System.Text.Json.Serialization;
using VisionAgent.Abstractions;

namespace VisionAgent.Core.Agent;

/// <summary>
/// How a run ended: a closed set of values that read and serialise as their names in JSON, logs and reports
/// (<c>answered</c>, <c>declined</c>, <c>unanswered</c>, <c>step_limit</c>, <c>timeout</c>, <c>cancelled</c>, <c>error</c>).
/// </summary>
[JsonConverter(typeof(RunStatusJsonConverter))]
public readonly record struct RunStatus
{
    private readonly string? _name;

    private RunStatus(string name) => _name = name;

    public static RunStatus Answered { get; } = new("answered");
    public static RunStatus StepLimit { get; } = new("step_limit");
    public static RunStatus Timeout { get; } = new("timeout");
    public static RunStatus Cancelled { get; } = new("cancelled");
    public static RunStatus Error { get; } = new("error");

    /// <summary>The planner declined: the question needs an LLM (writing, judgement, knowledge), none is configured.</summary>
    public static RunStatus Declined { get; } = new("declined");

    /// <summary>No answer: a model, an expert, an image or a value the answer needs is missing, or a needed expert failed.</summary>
    public static RunStatus Unanswered { get; } = new("unanswered");

    /// <summary>
    /// The metadata key under which a chat service marks a final answer that is not an answer (its value is
    /// <see cref="Declined"/> or <see cref="Unanswered"/>, or their names); the text still says what would answer.
    /// </summary>
    public const string MetadataKey = "visionagent.status";

    /// <summary>The status a reply's metadata claims, when it is one a reply may claim.</summary>
    public static RunStatus? FromMetadata(IReadOnlyDictionary<string, object?>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue(MetadataKey, out var value)) return null;
        var name = value switch { RunStatus status => status.Name, string text => text, _ => null };
        return name == Declined.Name ? Declined : name == Unanswered.Name ? Unanswered : null;
    }

    public string Name => _name ?? "";

    /// <summary>The exit code a run that ended so maps to.</summary>
    public int ExitCode =>
        this == Answered ? ExitCodes.Answered
        : this == Declined || this == Unanswered ? ExitCodes.NotAnswered
        : this == StepLimit || this == Timeout || this == Cancelled ? ExitCodes.LimitReached
        : ExitCodes.Unexpected;

    public static implicit operator string(RunStatus status) => status.Name;

    public override string ToString() => Name;

    private sealed class RunStatusJsonConverter : JsonConverter<RunStatus>
    {
        public override RunStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() switch
            {
                "answered" => Answered,
                "step_limit" => StepLimit,
                "timeout" => Timeout,
                "cancelled" => Cancelled,
                "error" => Error,
                "declined" => Declined,
                "unanswered" => Unanswered,
                var other => throw new JsonException($"unknown run status '{other}'"),
            };

        public override void Write(Utf8JsonWriter writer, RunStatus value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
    }
}

/// <summary>Which protocol the loop speaks with the model.</summary>
public enum AgentMode
{
    /// <summary>The ReAct text protocol (Thought / Action / Action Input / Observation); any chat model.</summary>
    React,

    /// <summary>The model's native function calling.</summary>
    Tools,
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
    public required RunStatus Status { get; init; }
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

/// <summary>More of the thought of a reply that is still arriving (streamed replies only); a <see cref="ThoughtEvent"/> with the whole thought follows.</summary>
public sealed record ThoughtDeltaEvent(string Text) : AgentEvent;

/// <summary>A streamed reply broke off and is asked for again: the thought shown for it so far is void.</summary>
public sealed record ReplyRestartedEvent(string Reason) : AgentEvent;

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
