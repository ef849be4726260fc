using System.Diagnostics;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Llm;

namespace VisionAgent.Core.Agent;

/// <summary>Asks the chat service for one reply, tells the observer, and counts the call, its tokens and its time in the run.</summary>
public sealed class LlmCaller(IChatCompletionService chat)
{
    public async Task<ChatMessageContent> CallAsync(ChatHistory history, PromptExecutionSettings settings, Kernel? kernel, AgentRun run, IAgentObserver observer, CancellationToken cancellationToken)
    {
        observer.OnEvent(new LlmRequestStarted(run.LlmCalls + 1));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var reply = await LlmErrors.GuardAsync(() => chat.GetChatMessageContentAsync(history, settings, kernel, cancellationToken), cancellationToken);
            run.CountReply(TokenCounter.FromMetadata(reply.Metadata));
            return reply;
        }
        finally
        {
            run.AddLlmTime(Stopwatch.GetElapsedTime(started));
        }
    }
}
