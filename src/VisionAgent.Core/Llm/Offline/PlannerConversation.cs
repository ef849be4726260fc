using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Llm.Offline;

/// <summary>An image as the system prompt lists it: an input, or something an expert made from a parent.</summary>
public sealed record ListedImage(string Handle, string Description, string? Kind, string? Parent, string? Operation)
{
    public bool IsInput => Parent is null;
}

/// <summary>A region (img1#det1) as the system prompt lists it.</summary>
public sealed record ListedRegion(string Reference, string Label, string ImageHandle);

/// <summary>An action of the current turn and the observation the system answered with.</summary>
public sealed record DoneStep(string Tool, string Observation)
{
    public bool Failed => ReActTranscript.IsFailure(Observation);
}

/// <summary>
/// What the offline planner reads from a chat history, exactly as a real LLM receives it: the images and regions
/// listed in the system prompt, the current question, and the actions and observations of this turn so far. Every
/// line is read through <see cref="ReActTranscript"/>, the type that wrote it.
/// </summary>
public sealed record PlannerConversation(string Question, IReadOnlyList<ListedImage> Images, IReadOnlyList<ListedRegion> Regions, IReadOnlyList<DoneStep> Done)
{
    public static PlannerConversation Read(ChatHistory history, ReActTranscript? transcript = null)
    {
        transcript ??= ReActTranscript.Default;
        var system = history.FirstOrDefault(m => m.Role == AuthorRole.System)?.Content ?? "";
        var (images, regions) = ReActTranscript.ReadImageList(system);

        var messages = history.Where(m => m.Role != AuthorRole.System).ToList();
        var questionIndex = messages.FindLastIndex(m => m.Role == AuthorRole.User && !transcript.IsObservation(TextOf(m)));
        var question = questionIndex >= 0 ? TextOf(messages[questionIndex]) : "";
        var done = new List<DoneStep>();
        string? pendingTool = null;
        for (var i = questionIndex + 1; i < messages.Count; i++)
        {
            var text = TextOf(messages[i]);
            if (messages[i].Role == AuthorRole.Assistant)
            {
                pendingTool = ReActTranscript.ReadAction(text);
            }
            else if (transcript.IsObservation(text) && pendingTool is not null)
            {
                done.Add(new DoneStep(pendingTool, transcript.ReadObservation(text)));
                pendingTool = null;
            }
        }
        return new PlannerConversation(question.Trim(), images, regions, done);
    }

    private static string TextOf(ChatMessageContent message) =>
        message.Content ?? string.Concat(message.Items.OfType<TextContent>().Select(t => t.Text));
}
