namespace VisionAgent.Core.Agent;

/// <summary>One action the LLM asked for: the tool as written and its arguments, already parsed.</summary>
public sealed record ParsedAction(string Tool, string RawInput, IReadOnlyDictionary<string, string> Arguments, string? Positional);

/// <summary>What the parser made of one LLM reply.</summary>
public sealed record ParsedReply
{
    public string? Thought { get; init; }
    public IReadOnlyList<ParsedAction> Actions { get; init; } = [];
    public string? FinalAnswer { get; init; }

    /// <summary>What was repaired to read the reply (a missing brace, single quotes, ...), one line each, for the trace.</summary>
    public IReadOnlyList<string> Repairs { get; init; } = [];

    /// <summary>Why the reply could not be used, phrased for the LLM; null when it parsed.</summary>
    public string? Error { get; init; }

    /// <summary>The reply as kept in the conversation: cut before any observation the model invented.</summary>
    public required string Text { get; init; }
}
