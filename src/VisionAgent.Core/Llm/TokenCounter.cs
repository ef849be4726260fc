using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Llm;

/// <summary>Reads token usage from a reply's metadata, whichever provider wrote it.</summary>
public static class TokenCounter
{
    public const string PromptTokensKey = "PromptTokens";
    public const string CompletionTokensKey = "CompletionTokens";

    public static TokenUsage FromMetadata(IReadOnlyDictionary<string, object?>? metadata)
    {
        if (metadata is null) return new TokenUsage(0, 0);
        if (metadata.TryGetValue("Usage", out var usage) && usage is OpenAI.Chat.ChatTokenUsage openAi)
            return new TokenUsage(openAi.InputTokenCount, openAi.OutputTokenCount);
        var prompt = metadata.TryGetValue(PromptTokensKey, out var p) && p is int pi ? pi : 0;
        var completion = metadata.TryGetValue(CompletionTokensKey, out var c) && c is int ci ? ci : 0;
        return new TokenUsage(prompt, completion);
    }
}
