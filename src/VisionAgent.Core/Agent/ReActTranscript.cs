using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using VisionAgent.Abstractions;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Agent;

/// <summary>
/// The one owner of every line the ReAct loop puts before the model that something later reads back: the image and
/// region lines of the system prompt, observations (one action or several, labelled), failed calls, and the
/// "New images" suffix. Writing and reading sit side by side here, and the observation label and stop sequences
/// come from the prompt file (<c>observation_prefix</c>), so editing the prompt changes writer and reader together.
/// </summary>
public sealed partial class ReActTranscript
{
    /// <summary>Put before a failed call's problem in its observation.</summary>
    public const string FailurePrefix = "Error: ";

    private const string NewImagesLead = "\nNew images: ";

    public ReActTranscript(ReActPrompt prompt)
    {
        ObservationPrefix = prompt.ObservationPrefix;
        ObservationLabel = prompt.ObservationPrefix.Trim();
        if (ObservationLabel.Length == 0) throw new VisionAgentException($"prompt '{prompt.Name}': observation_prefix is empty");
        StopSequences = ["\n" + ObservationLabel, ObservationLabel];
    }

    /// <summary>The transcript of the shipped <c>prompts/react.yaml</c>.</summary>
    public static ReActTranscript Default { get; } = new(PromptLibrary.Default.ReAct);

    /// <summary>What starts an observation, as written ("Observation: ").</summary>
    public string ObservationPrefix { get; }

    /// <summary>The prefix without its spacing ("Observation:"), as read.</summary>
    public string ObservationLabel { get; }

    /// <summary>Where the model must stop: it must never write an observation itself.</summary>
    public IReadOnlyList<string> StopSequences { get; }

    // ---- the system prompt's image list ----

    public static string ImageLine(ImageRecord image) => "- " + image.Describe();

    // A label comes from a model file or an expert: quoted when it is not plain, so it cannot start a line of its own.
    public static string RegionLine(RegionRecord region) =>
        string.Create(CultureInfo.InvariantCulture, $"- {region.Reference}: {QuotedText.Name(region.Label, 40)} {region.Score:0.00} at {region.Box} on {region.ImageHandle}");

    /// <summary>Every image and region, one line each; null when there is none.</summary>
    public static string? ImageList(IEnumerable<ImageRecord> images, IEnumerable<RegionRecord> regions)
    {
        var lines = images.Select(ImageLine).Concat(regions.Select(RegionLine)).ToList();
        return lines.Count == 0 ? null : string.Join('\n', lines);
    }

    /// <summary>The images and regions listed in a system prompt.</summary>
    public static (IReadOnlyList<ListedImage> Images, IReadOnlyList<ListedRegion> Regions) ReadImageList(string systemPrompt)
    {
        var images = new List<ListedImage>();
        var regions = new List<ListedRegion>();
        foreach (var raw in systemPrompt.Split('\n'))
        {
            var line = raw.Trim();
            var region = RegionLinePattern().Match(line);
            if (region.Success)
            {
                regions.Add(new ListedRegion(region.Groups["ref"].Value, region.Groups["label"].Value.Trim(), region.Groups["on"].Value));
                continue;
            }
            var image = ImageLinePattern().Match(line);
            if (!image.Success) continue;
            var description = image.Groups["desc"].Value.Trim();
            var produced = ProducedDescription().Match(description);
            images.Add(produced.Success
                ? new ListedImage(image.Groups["handle"].Value, description, produced.Groups["kind"].Value, produced.Groups["parent"].Value, produced.Groups["op"].Value)
                : new ListedImage(image.Groups["handle"].Value, description, null, null, null));
        }
        return (images, regions);
    }

    // ---- observations ----

    /// <summary>One observation message for the actions of one reply; with several, each is labelled with its tool.</summary>
    public string Observations(IReadOnlyList<(string Tool, string Text)> results)
    {
        var text = new StringBuilder();
        foreach (var (tool, observation) in results)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(ObservationPrefix);
            if (results.Count > 1) text.Append('[').Append(tool).Append("] ");
            text.Append(observation);
        }
        return text.ToString();
    }

    /// <summary>An observation message holding one text (a correction of an unusable reply).</summary>
    public string Observation(string text) => ObservationPrefix + text;

    public bool IsObservation(string message) => message.TrimStart().StartsWith(ObservationLabel, StringComparison.OrdinalIgnoreCase);

    /// <summary>The text of an observation message without its prefix.</summary>
    public string ReadObservation(string message)
    {
        var text = message.Trim();
        return text.StartsWith(ObservationLabel, StringComparison.OrdinalIgnoreCase) ? text[ObservationLabel.Length..].Trim() : text;
    }

    /// <summary>The observation of a call that failed.</summary>
    public static string Failure(string problem) => FailurePrefix + problem;

    public static bool IsFailure(string observation) => observation.TrimStart().StartsWith(FailurePrefix.TrimEnd(), StringComparison.OrdinalIgnoreCase);

    /// <summary>The observation of a successful call: the expert's text, then the handles of the images it made.</summary>
    public static string Success(string text, IReadOnlyList<ImageRecord> produced) =>
        produced.Count == 0 ? text : text + NewImagesLead + string.Join(", ", produced.Select(i => $"{i.Handle} ({i.Kind} of {i.Parent})"));

    /// <summary>The observation without its "New images" suffix.</summary>
    public static string WithoutNewImages(string observation)
    {
        var cut = observation.LastIndexOf(NewImagesLead, StringComparison.Ordinal);
        return cut < 0 ? observation : observation[..cut];
    }

    // ---- the model's own lines ----

    /// <summary>The tool named on an assistant message's Action line, or null.</summary>
    public static string? ReadAction(string assistantMessage)
    {
        var action = ActionLine().Match(assistantMessage);
        return action.Success ? action.Groups["tool"].Value.Trim() : null;
    }

    [GeneratedRegex(@"^-\s+(?<handle>img\d+):\s*(?<desc>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ImageLinePattern();

    [GeneratedRegex(@"^-\s+(?<ref>img\d+#\w+):\s*(?<label>.*?)\s+[\d.]+\s+at\s+.*\son\s+(?<on>img\d+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RegionLinePattern();

    [GeneratedRegex(@"^(?<kind>[\w-]+) of (?<parent>img\d+) by (?<op>\S+)")]
    private static partial Regex ProducedDescription();

    [GeneratedRegex(@"^\s*Action:\s*(?<tool>.+)$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ActionLine();
}
