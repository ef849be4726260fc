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

    /// <summary>How many characters each streamed piece holds, so labels and stop sequences fall across pieces.</summary>
    public int StreamPieceLength { get; init; } = 3;

    /// <summary>The scripted reply in pieces of <see cref="StreamPieceLength"/> characters.</summary>
    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var replies = await GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken);
        var text = replies[0].Content ?? "";
        for (var i = 0; i < text.Length; i += StreamPieceLength)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StreamingChatMessageContent(AuthorRole.Assistant, text.Substring(i, Math.Min(StreamPieceLength, text.Length - i)));
        }
    }
}
