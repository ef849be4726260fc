using System.Runtime.CompilerServices;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using VisionAgent.Abstractions;

namespace VisionAgent.Core.Llm;

/// <summary>
/// Wraps the remote chat connector so that whatever it throws (its own <see cref="HttpOperationException"/>, the
/// resilience pipeline's timeouts and broken circuits, or the SDK's parse errors on a body that is not a chat
/// completion) leaves as one <see cref="LlmException"/>. Only the connector is wrapped, so a bug in our own code
/// (the offline planner, a test double) is never mistaken for an LLM failure.
/// </summary>
public sealed class ConnectorChatService(IChatCompletionService connector) : IChatCompletionService
{
    public IReadOnlyDictionary<string, object?> Attributes => connector.Attributes;

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await connector.GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectorFailure(ex, cancellationToken))
        {
            throw new LlmException(LlmErrors.DescribeConnectorFailure(ex), ex);
        }
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = connector.GetStreamingChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var finished = false;
        await using (stream.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false)) break;
                }
                catch (Exception ex) when (IsConnectorFailure(ex, cancellationToken))
                {
                    throw new LlmException(LlmErrors.DescribeConnectorFailure(ex), ex);
                }
                finished |= HasFinishReason(stream.Current);
                yield return stream.Current;
            }
        }
        // A stream that closes cleanly but without the model's finish reason (and usually without [DONE]) was cut short:
        // what came is not the whole reply, so it must not pass for one.
        if (!finished)
        {
            var cut = new StreamInterruptedException("the stream ended before the model finished its reply");
            throw new LlmException(LlmErrors.DescribeConnectorFailure(cut), cut);
        }
    }

    private static bool HasFinishReason(StreamingChatMessageContent chunk) => chunk is OpenAIStreamingChatMessageContent { FinishReason: not null };

    // Everything the connector throws is about the endpoint, except the caller's own cancellation and what is
    // already ours (an LlmException, or a VisionAgentException from a tool run inside native function calling).
    private static bool IsConnectorFailure(Exception ex, CancellationToken cancellationToken) =>
        !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested) && ex is not (VisionAgentException or OutOfMemoryException);
}
