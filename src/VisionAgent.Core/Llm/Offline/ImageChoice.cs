using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline;

/// <summary>
/// The images a question is about: those it names (a handle, a file name, "the second image", "the mask",
/// "the last result"), every input for "both", "each" or "which of them", else the images an earlier request of the
/// same question left or the picture a chat is working on (<c>current</c>), else the newest input, with a note saying
/// so when there were several to choose from.
/// </summary>
public sealed partial record ImageChoice(IReadOnlyList<ListedImage> Images, string? Note, string? Mention = null)
{
    private static readonly string[] Ordinals = ["first", "second", "third", "fourth", "fifth", "sixth"];

    public static ImageChoice For(PlannerConversation conversation, IReadOnlyList<ListedImage>? current = null, string? currentNote = null)
    {
        var question = conversation.Question.ToLowerInvariant();
        var images = conversation.Images;
        var inputs = images.Where(i => i.IsInput).ToList();

        var named = HandleMention().Matches(question)
            .Select(m => images.FirstOrDefault(i => string.Equals(i.Handle, m.Value, StringComparison.OrdinalIgnoreCase)))
            .OfType<ListedImage>().DistinctBy(i => i.Handle).ToList();
        if (named.Count > 0) return new ImageChoice(named, null);

        var byFile = inputs.Select(i => (Image: i, Mention: FileMention(question, i))).Where(m => m.Mention is not null).ToList();
        if (byFile.Count > 0) return new ImageChoice(byFile.Select(m => m.Image).ToList(), null, byFile[0].Mention);

        if (inputs.Count > 1 && All().IsMatch(question)) return new ImageChoice(inputs, null);

        if (Ordinal().Match(question) is { Success: true } ordinal && inputs.Count > 0)
        {
            var word = ordinal.Groups["n"].Value;
            var index = word is "last" or "latest" ? inputs.Count - 1 : Array.IndexOf(Ordinals, word);
            if (index >= 0 && index < inputs.Count) return new ImageChoice([inputs[index]], null, ordinal.Value);
        }

        var produced = images.Where(i => !i.IsInput).ToList();
        if (produced.Count > 0 && LatestResult().Match(question) is { Success: true } latest) return new ImageChoice([produced[^1]], null, latest.Value);
        foreach (var image in Enumerable.Reverse(produced))
        {
            if (image.Kind is { } kind && KindPattern(kind).Match(question) is { Success: true } ofKind) return new ImageChoice([image], null, ofKind.Value);
        }

        if (current is { Count: > 0 }) return new ImageChoice(current, currentNote);

        var newest = inputs.LastOrDefault() ?? images.LastOrDefault();
        if (newest is null) return new ImageChoice([], null);
        var note = inputs.Count > 1
            ? $"I used {newest.Handle} ({FileName(newest)}), the newest of the {inputs.Count} images; name another ({inputs[0].Handle}, \"the first image\" or its file name) to ask about it, or say \"both\"."
            : null;
        return new ImageChoice([newest], note);
    }

    /// <summary>The width and height the image list gives, when it gives them.</summary>
    public static (int Width, int Height)? SizeOf(ListedImage image)
    {
        var m = Size().Match(image.Description);
        return m.Success ? (int.Parse(m.Groups["w"].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups["h"].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>The file name of an input as listed ("chelsea.png"), or its description for a produced image.</summary>
    public static string FileName(ListedImage image)
    {
        var cut = image.Description.LastIndexOf(" (", StringComparison.Ordinal);
        return cut > 0 ? image.Description[..cut] : image.Description;
    }

    /// <summary>
    /// The words that name an image, so routing can read the question without them ("how large is the mask" is a
    /// size question about the mask, not a request for a mask).
    /// </summary>
    public string Unmentioned(string question) =>
        Mention is null ? question : Regex.Replace(question, Regex.Escape(Mention), "the image", RegexOptions.IgnoreCase);

    private static string? FileMention(string question, ListedImage input)
    {
        var file = FileName(input).ToLowerInvariant();
        var stem = Path.GetFileNameWithoutExtension(file);
        // A bare stem counts only before a word for an image ("the chelsea picture"): stems are often plain words ("text").
        var named = Regex.Match(question, $@"(?<![\w.-]){Regex.Escape(file)}(?![\w-])");
        if (!named.Success) named = Regex.Match(question, $@"(?<![\w.-]){Regex.Escape(stem)}\s+(?:image|picture|photo|file|one)\b");
        return named.Success ? named.Value : null;
    }

    private static Regex KindPattern(string kind)
    {
        var words = kind.ToLowerInvariant() switch
        {
            "cutout" => @"cut[\s-]?out",
            "annotated" => @"annotated(?:\s+(?:image|picture|copy|version))?",
            "edit" => @"edit(?:ed)?\s+(?:image|picture|photo|version|one)",
            var other => Regex.Escape(other),
        };
        return new Regex($@"\bthe\s+{words}\b", RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"\bimg\d+\b(?!#)")]
    private static partial Regex HandleMention();

    [GeneratedRegex(@"\b(?:both|each|either|all\s+(?:the\s+|of\s+the\s+|\w+\s+)?(?:images|pictures|photos|files)|every\s+(?:image|picture|photo)|all\s+of\s+them|which\s+of\s+(?:them|the)|which\s+one)\b")]
    private static partial Regex All();

    [GeneratedRegex(@"\b(?:the\s+)?(?<n>first|second|third|fourth|fifth|sixth|last|latest)\s+(?:image|picture|photo|file|one)\b")]
    private static partial Regex Ordinal();

    [GeneratedRegex(@"\bthe\s+(?:(?:last|latest|previous|new|newest)\s+(?:result|output|image|picture|edit|one)|result|output)\b")]
    private static partial Regex LatestResult();

    [GeneratedRegex(@"\((?<w>\d+)x(?<h>\d+)")]
    private static partial Regex Size();
}
