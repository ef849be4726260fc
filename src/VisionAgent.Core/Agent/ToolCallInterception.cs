namespace VisionAgent.Core.Agent;

/// <summary>A tool call as the loop asked for it, before argument mapping.</summary>
public sealed record ToolCallRequest(string Tool, IReadOnlyDictionary<string, string> Arguments, string? Positional);

/// <summary>
/// An optional hook around every tool call of a <see cref="ToolInvoker"/>: it may observe the call and its outcome
/// (recording) or answer it without running the expert (replay). Exceptions it throws end the run.
/// </summary>
public interface IToolCallInterceptor
{
    Task<ToolOutcome> InvokeAsync(ToolCallRequest call, Func<CancellationToken, Task<ToolOutcome>> next, CancellationToken cancellationToken);
}
