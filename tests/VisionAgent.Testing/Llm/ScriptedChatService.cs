using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace VisionAgent.Testing.Llm;

/// <summary>
/// An in-process SK chat service for loop tests: each call takes the next scripted reply, or asks a
/// callback that sees the whole history. Every history it received is recorded.
/// </summary>
public sealed class ScriptedChatService(IEnumerable<string>? replies = null, Func<ChatHistory, string>? responder = null) : IChatCompletionService
{
    private readonly Queue<string> _replies = new(replies ?? []);

    public List<ChatHistory> Calls { get; } = [];

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Calls.Add([.. chatHistory]);
        var text = _replies.Count > 0 ? _replies.Dequeue()
            : responder?.Invoke(chatHistory) ?? throw new InvalidOperationException("the script has no more replies");
        IReadOnlyList<ChatMessageContent> result = [new ChatMessageContent(AuthorRole.Assistant, text)];
        return Task.FromResult(result);
    }

    public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the agent does not stream");
}
