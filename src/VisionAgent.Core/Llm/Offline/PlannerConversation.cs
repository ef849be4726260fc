using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

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
    public bool Failed => Observation.StartsWith("Error", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// What the offline planner reads from a chat history, exactly as a real LLM receives it: the images and regions
/// listed in the system prompt, the current question, and the actions and observations of this turn so far.
/// </summary>
public sealed partial record PlannerConversation(string Question, IReadOnlyList<ListedImage> Images, IReadOnlyList<ListedRegion> Regions, IReadOnlyList<DoneStep> Done)
{
    public const string ObservationPrefix = "Observation:";

    public static PlannerConversation Read(ChatHistory history)
    {
        var system = history.FirstOrDefault(m => m.Role == AuthorRole.System)?.Content ?? "";
        var images = new List<ListedImage>();
        var regions = new List<ListedRegion>();
        foreach (var raw in system.Split('\n'))
        {
            var line = raw.Trim();
            var region = RegionLine().Match(line);
            if (region.Success)
            {
                regions.Add(new ListedRegion(region.Groups["ref"].Value, region.Groups["label"].Value.Trim(), region.Groups["on"].Value));
                continue;
            }
            var image = ImageLine().Match(line);
            if (!image.Success) continue;
            var description = image.Groups["desc"].Value.Trim();
            var produced = ProducedDescription().Match(description);
            images.Add(produced.Success
                ? new ListedImage(image.Groups["handle"].Value, description, produced.Groups["kind"].Value, produced.Groups["parent"].Value, produced.Groups["op"].Value)
                : new ListedImage(image.Groups["handle"].Value, description, null, null, null));
        }

        var messages = history.Where(m => m.Role != AuthorRole.System).ToList();
        var questionIndex = messages.FindLastIndex(m => m.Role == AuthorRole.User && !IsObservation(m));
        var question = questionIndex >= 0 ? TextOf(messages[questionIndex]) : "";
        var done = new List<DoneStep>();
        string? pendingTool = null;
        for (var i = questionIndex + 1; i < messages.Count; i++)
        {
            var text = TextOf(messages[i]);
            if (messages[i].Role == AuthorRole.Assistant)
            {
                var action = ActionLine().Match(text);
                pendingTool = action.Success ? action.Groups["tool"].Value.Trim() : null;
            }
            else if (IsObservation(messages[i]) && pendingTool is not null)
            {
                done.Add(new DoneStep(pendingTool, text.Trim()[ObservationPrefix.Length..].Trim()));
                pendingTool = null;
            }
        }
        return new PlannerConversation(question.Trim(), images, regions, done);
    }

    private static bool IsObservation(ChatMessageContent message) =>
        TextOf(message).TrimStart().StartsWith(ObservationPrefix, StringComparison.OrdinalIgnoreCase);

    private static string TextOf(ChatMessageContent message) =>
        message.Content ?? string.Concat(message.Items.OfType<TextContent>().Select(t => t.Text));

    [GeneratedRegex(@"^-\s+(?<handle>img\d+):\s*(?<desc>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ImageLine();

    [GeneratedRegex(@"^-\s+(?<ref>img\d+#\w+):\s*(?<label>.*?)\s+[\d.]+\s+at\s+.*\son\s+(?<on>img\d+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RegionLine();

    [GeneratedRegex(@"^(?<kind>[\w-]+) of (?<parent>img\d+) by (?<op>\S+)")]
    private static partial Regex ProducedDescription();

    [GeneratedRegex(@"^\s*Action:\s*(?<tool>.+)$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ActionLine();
}
