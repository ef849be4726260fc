using VisionAgent.Abstractions;

namespace VisionAgent.Core.Llm;

/// <summary>The LLM endpoint is unreachable or answers with something unusable.</summary>
/// <remarks>It lives beside the LLM providers, not in the expert seam: experts never call the LLM.</remarks>
public sealed class LlmException(string message, Exception? inner = null)
    : VisionAgentException(message, ExitCodes.LlmFailure, inner);
