using System.Diagnostics;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Llm;

namespace VisionAgent.Core.Agent;

/// <summary>
/// Asks the chat service for one reply, whole or streamed, tells the observer, and counts the call, its tokens and its
/// time in the run.
/// </summary>
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

    /// <summary>
    /// Streams a ReAct reply: its thought goes to the observer as it arrives (<see cref="ThoughtDeltaEvent"/>), the text
    /// is cut at the first stop sequence (and the stream closed there), and the whole reply is returned as
    /// <see cref="CallAsync"/> would return it. A stream that breaks off is asked for again up to
    /// <paramref name="retries"/> times, after a <see cref="ReplyRestartedEvent"/>.
    /// </summary>
    public async Task<ChatMessageContent> StreamAsync(ChatHistory history, PromptExecutionSettings settings, IReadOnlyList<string> stopSequences, int retries, AgentRun run, IAgentObserver observer, CancellationToken cancellationToken)
    {
        observer.OnEvent(new LlmRequestStarted(run.LlmCalls + 1));
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var reply = await ReadStreamAsync(history, settings, stopSequences, observer, cancellationToken);
                    run.CountReply(TokenCounter.FromMetadata(reply.Metadata));
                    return reply;
                }
                catch (LlmException ex) when (attempt < retries && LlmErrors.IsInterruptedStream(ex))
                {
                    observer.OnEvent(new ReplyRestartedEvent(ex.Message));
                }
            }
        }
        finally
        {
            run.AddLlmTime(Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<ChatMessageContent> ReadStreamAsync(ChatHistory history, PromptExecutionSettings settings, IReadOnlyList<string> stopSequences, IAgentObserver observer, CancellationToken cancellationToken)
    {
        var text = new StreamedReply(stopSequences);
        var thought = new ThoughtStream();
        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal);
        string? modelId = null;
        var chunks = chat.GetStreamingChatMessageContentsAsync(history, settings, kernel: null, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (chunks.ConfigureAwait(false))
        {
            while (!text.IsCut && await LlmErrors.GuardAsync(() => chunks.MoveNextAsync().AsTask(), cancellationToken))
            {
                var chunk = chunks.Current;
                modelId ??= chunk.ModelId;
                // Usage comes in a last chunk of its own; later chunks carry nulls for what earlier ones told.
                foreach (var (key, value) in chunk.Metadata ?? new Dictionary<string, object?>())
                {
                    if (value is not null) metadata[key] = value;
                }
                Show(thought.Push(text.Add(chunk.Content ?? "")), observer);
            }
        }
        Show(thought.Push(text.Complete()) + thought.Complete(), observer);
        return new ChatMessageContent(AuthorRole.Assistant, text.Text) { ModelId = modelId, Metadata = metadata };
    }

    private static void Show(string thought, IAgentObserver observer)
    {
        if (thought.Length > 0) observer.OnEvent(new ThoughtDeltaEvent(thought));
    }
}
