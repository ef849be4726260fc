using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Llm;

namespace VisionAgent.Evaluation.Recording;

/// <summary>Where a replayed run stopped following its cassette.</summary>
public sealed record Divergence
{
    public required int Turn { get; init; }
    public required int Step { get; init; }

    /// <summary>llm_request, judge_request or tool_call.</summary>
    public required string Kind { get; init; }

    /// <summary>The index of the first differing message in the request, when the request differs.</summary>
    public int? Message { get; init; }
    public string? Role { get; init; }
    public required string Expected { get; init; }
    public required string Actual { get; init; }

    public string Describe() =>
        $"turn {Turn}, {(Kind == "tool_call" ? "tool call" : "step")} {Step}: " +
        (Message is { } m ? $"{Kind} message {m} ({Role}) differs: expected \"{Expected}\", got \"{Actual}\"" : $"{Kind} differs: expected {Expected}, got {Actual}");
}

/// <summary>Thrown when a replayed run asks for something the cassette does not hold; it ends the task's run.</summary>
public sealed class ReplayDivergenceException(Divergence divergence) : Exception("the run diverged from its cassette: " + divergence.Describe())
{
    public Divergence Divergence { get; } = divergence;
}

/// <summary>
/// Answers chat requests from a cassette, in order, after checking that each request equals the recorded one;
/// the first difference throws <see cref="ReplayDivergenceException"/> naming the message and where it differs.
/// </summary>
public sealed class ReplayChatService(IReadOnlyList<LlmExchange> exchanges, CassetteCursor cursor, string kind = "llm_request") : IChatCompletionService
{
    private int _next;

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var step = ++cursor.LlmStep;
        var actual = MessageRendering.Render(chatHistory);
        if (_next >= exchanges.Count)
            throw Diverged(step, null, null, $"{exchanges.Count} recorded requests", "one more request");
        var recorded = exchanges[_next++];
        if (recorded.Turn != cursor.Turn)
            throw Diverged(step, null, null, $"the request of turn {recorded.Turn}, step {recorded.Step}", $"a request in turn {cursor.Turn}");
        for (var i = 0; i < Math.Max(actual.Count, recorded.Request.Count); i++)
        {
            if (i >= recorded.Request.Count) throw Diverged(step, i, actual[i].Role, "(no message)", Excerpt(actual[i].Content, 0));
            if (i >= actual.Count) throw Diverged(step, i, recorded.Request[i].Role, Excerpt(recorded.Request[i].Content, 0), "(no message)");
            var (want, got) = (recorded.Request[i], actual[i]);
            if (want.Role != got.Role || want.Content != got.Content)
            {
                var at = FirstDifference(want.Content, got.Content);
                throw Diverged(step, i, got.Role, $"{want.Role}: {Excerpt(want.Content, at)}", $"{got.Role}: {Excerpt(got.Content, at)}");
            }
        }
        var reply = new ChatMessageContent(AuthorRole.Assistant, recorded.Response)
        {
            Metadata = new Dictionary<string, object?>
            {
                [TokenCounter.PromptTokensKey] = recorded.PromptTokens,
                [TokenCounter.CompletionTokensKey] = recorded.CompletionTokens,
            },
        };
        foreach (var call in recorded.ResponseToolCalls ?? [])
        {
            var arguments = new KernelArguments();
            foreach (var (key, value) in call.Arguments) arguments[key] = value;
            reply.Items.Add(new FunctionCallContent(call.Function, call.Plugin, call.Id, arguments));
        }
        IReadOnlyList<ChatMessageContent> result = [reply];
        return Task.FromResult(result);
    }

    public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("a cassette replays whole replies: eval runs never stream (AgentOptions.Stream stays off)");

    private ReplayDivergenceException Diverged(int step, int? message, string? role, string expected, string actual) =>
        new(new Divergence { Turn = cursor.Turn, Step = step, Kind = kind, Message = message, Role = role, Expected = expected, Actual = actual });

    private static int FirstDifference(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i]) return i;
        }
        return n;
    }

    /// <summary>About 80 characters around <paramref name="at"/>, on one line.</summary>
    public static string Excerpt(string text, int at)
    {
        var start = Math.Max(0, at - 30);
        var end = Math.Min(text.Length, at + 50);
        var excerpt = text[start..end].Replace("\n", "\\n", StringComparison.Ordinal);
        return (start > 0 ? "…" : "") + excerpt + (end < text.Length ? "…" : "");
    }
}
