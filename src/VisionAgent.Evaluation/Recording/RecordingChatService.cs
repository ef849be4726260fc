using System.Diagnostics;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Llm;

namespace VisionAgent.Evaluation.Recording;

/// <summary>A delegating chat service that passes every request to the real one and writes both into a cassette list.</summary>
public sealed class RecordingChatService(IChatCompletionService inner, List<LlmExchange> exchanges, CassetteCursor cursor) : IChatCompletionService
{
    public IReadOnlyDictionary<string, object?> Attributes => inner.Attributes;

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        var request = MessageRendering.Render(chatHistory);
        var started = Stopwatch.GetTimestamp();
        var replies = await inner.GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken);
        var reply = replies.Count > 0 ? replies[0] : new ChatMessageContent(AuthorRole.Assistant, "");
        var tokens = TokenCounter.FromMetadata(reply.Metadata);
        var calls = reply.Items.OfType<FunctionCallContent>()
            .Select(c => new CassetteToolCall { Id = c.Id, Plugin = c.PluginName, Function = c.FunctionName, Arguments = new Dictionary<string, string>(MessageRendering.ArgumentTexts(c.Arguments)) })
            .ToList();
        lock (exchanges)
        {
            exchanges.Add(new LlmExchange
            {
                Turn = cursor.Turn,
                Step = ++cursor.LlmStep,
                Request = request,
                Response = reply.Content,
                ResponseToolCalls = calls.Count > 0 ? calls : null,
                PromptTokens = tokens.Prompt,
                CompletionTokens = tokens.Completion,
                Ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            });
        }
        return replies;
    }

    public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("a cassette records whole replies: eval runs never stream (AgentOptions.Stream stays off)");
}
