using Microsoft.SemanticKernel.ChatCompletion;
using Spectre.Console;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Llm;

namespace VisionAgent.Cli.Rendering;

/// <summary>
/// Whether a run streams the model's replies so its thought shows as it is written: only for human output on an
/// interactive terminal, only from a remote LLM (the offline planner answers at once), and not with
/// <c>--no-stream</c> or <c>llm.stream: false</c>. JSON output, eval and recordings always take whole replies.
/// </summary>
public static class ReplyStreaming
{
    public static AgentOptions Apply(AgentOptions options, bool noStream, VisionAgentConfig config, IAnsiConsole console, IChatCompletionService chat) =>
        options with { Stream = !noStream && config.Llm.Stream && chat is ConnectorChatService && console.Profile.Capabilities is { Interactive: true, Ansi: true } };
}
