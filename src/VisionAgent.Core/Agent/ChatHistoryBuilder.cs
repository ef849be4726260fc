using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Agent;

/// <summary>
/// What goes into the chat history of each LLM call: the system prompt filled with the tool catalog, the image list
/// and the spotlighting markers; the remembered turns; the question (with the input images when the model can see);
/// and the run's own exchanges so far. The image list is rebuilt at every call, so trimming old turns never loses a
/// handle.
/// </summary>
public sealed class ChatHistoryBuilder(ExpertRegistry registry, IImageStore images, AgentOptions options)
{
    /// <summary>Most input images attached to a question for a model that can see.</summary>
    public const int MaxAttachedImages = 4;

    /// <summary>The history for the next call; the tools are listed in the prompt only when <paramref name="includeTools"/> (native tool calling sends them as functions).</summary>
    public ChatHistory Build(ReActPrompt prompt, bool includeTools, IEnumerable<AgentTurn> memory, string question, IEnumerable<ChatMessageContent> exchanges)
    {
        var history = new ChatHistory(SystemPrompt(prompt, includeTools));
        foreach (var turn in memory.TakeLast(options.HistoryTurns))
        {
            history.AddUserMessage(turn.Question);
            history.AddAssistantMessage(turn.Result.Answer ?? $"(no answer: {turn.Result.Status})");
        }
        history.Add(Question(question));
        history.AddRange(exchanges);
        return history;
    }

    public string SystemPrompt(ReActPrompt prompt, bool includeTools)
    {
        var values = new Dictionary<string, string>
        {
            ["tools"] = includeTools ? ToolCatalog.Describe(registry, prompt.ToolLine) : "",
            ["images"] = ReActTranscript.ImageList(images.Images, images.Regions) ?? prompt.NoImages,
            ["data_begin"] = UntrustedTextMarker.Begin,
            ["data_end"] = UntrustedTextMarker.End,
            ["marker"] = "^",
            ["vision"] = options.Vision ? prompt.VisionNote : "",
        };
        return PromptLibrary.Fill(prompt.System, values).TrimEnd();
    }

    private ChatMessageContent Question(string question)
    {
        if (!options.Vision) return new ChatMessageContent(AuthorRole.User, question);
        var items = new ChatMessageContentItemCollection { new TextContent(question) };
        foreach (var image in images.Images.Where(i => i.Parent is null).Take(MaxAttachedImages))
            items.Add(new ImageContent(File.ReadAllBytes(image.Path), MimeType(image.Format)));
        return new ChatMessageContent(AuthorRole.User, items);
    }

    private static string MimeType(string format) => format switch
    {
        "PNG" => "image/png",
        "JPEG" => "image/jpeg",
        "WEBP" => "image/webp",
        "GIF" => "image/gif",
        _ => "image/bmp",
    };
}
