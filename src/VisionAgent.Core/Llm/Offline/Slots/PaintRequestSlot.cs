using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

public enum PaintRequestPart
{
    /// <summary>What to paint: "paint the wall green" gives "a green wall".</summary>
    Prompt,

    /// <summary>Where to paint: "paint the wall green" gives "the wall".</summary>
    Target,
}

/// <summary>
/// Free text of a repaint request, split into what to paint (the prompt) and where (the target):
/// "paint the wall green" (a green wall / the wall), "replace the sky with stars" (stars / the sky),
/// "turn the grass into sand" (sand / the grass), "put a hat on the dog" (a hat / the dog),
/// "change the car's colour to red" (a red car / the car).
/// </summary>
public sealed partial class PaintRequestSlot(PaintRequestPart part) : SlotType
{
    public override string Name => part == PaintRequestPart.Prompt ? "prompt" : "target";

    public override string Need => part == PaintRequestPart.Prompt ? "what to paint" : "where to paint";

    public override IReadOnlyList<string> Examples { get; } =
        ["paint the wall green", "replace the sky with stars", "turn the grass into sand", "put a hat on the dog", "change the car's colour to red"];

    public override string? Extract(SlotQuestion question)
    {
        var tidy = string.Join(' ', Tidy().Replace(question.Text, " ").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var request = Read(tidy.Trim(' ', '.', '!', '?'));
        if (request is null) return null;
        return part == PaintRequestPart.Prompt ? request.Value.Prompt : request.Value.Target;
    }

    private static (string Prompt, string Target)? Read(string text)
    {
        if (ColourChange().Match(text) is { Success: true } recolour && ColorSlot.Find(recolour.Groups["colour"].Value) is { } named)
            return Coloured(named.Words, recolour.Groups["target"].Value);
        if (Replace().Match(text) is { Success: true } replace)
            return (replace.Groups["what"].Value, The(replace.Groups["target"].Value));
        if (Into().Match(text) is { Success: true } into)
        {
            var what = into.Groups["what"].Value;
            return ColorSlot.Find(what) is { } colour && colour.Words == what
                ? Coloured(colour.Words, into.Groups["target"].Value)
                : (what, The(into.Groups["target"].Value));
        }
        if (PaintColour().Match(text) is { Success: true } paint && ColorSlot.Find(paint.Groups["colour"].Value) is { } painted && painted.Words == paint.Groups["colour"].Value)
            return Coloured(painted.Words, paint.Groups["target"].Value);
        // "put the cat on a green background" keeps the cat and changes what is behind it: a new background, not paint.
        if (PutOn().Match(text) is { Success: true } put && !Backdrop().IsMatch(put.Groups["target"].Value))
            return (put.Groups["what"].Value, The(put.Groups["target"].Value));
        return null;
    }

    private static (string, string) Coloured(string colour, string target)
    {
        var noun = Article().Replace(target.Trim(), "");
        var article = noun.EndsWith('s') && !noun.EndsWith("ss", StringComparison.Ordinal) ? "" : "AEIOUaeiou".Contains(colour[0], StringComparison.Ordinal) ? "an " : "a ";
        return ($"{article}{colour} {noun}", "the " + noun);
    }

    private static string The(string target)
    {
        var noun = Article().Replace(target.Trim(), "");
        return "the " + noun;
    }

    [GeneratedRegex(@"\b(?:please|for me|in (?:the|this) (?:picture|photo|image)|(?:of|from) (?:the|this) (?:picture|photo|image))\b")]
    private static partial Regex Tidy();

    [GeneratedRegex(@"^(?:please\s+)?(?:change|make|turn|set)\s+(?:the\s+)?(?<target>[\w\s-]+?)(?:'s|s')?\s+colou?r\s+(?:to|into)\s+(?<colour>[\w\s#-]+)$")]
    private static partial Regex ColourChange();

    [GeneratedRegex(@"^(?:please\s+)?(?:replace|swap)\s+(?<target>[\w\s'-]+?)\s+(?:with|for|by)\s+(?<what>.+)$")]
    private static partial Regex Replace();

    [GeneratedRegex(@"^(?:please\s+)?(?:turn|change|transform|convert|make)\s+(?<target>[\w\s'-]+?)\s+(?:into|to)\s+(?<what>.+)$")]
    private static partial Regex Into();

    [GeneratedRegex(@"^(?:please\s+)?(?:paint|colou?r|make|dye|turn)\s+(?<target>[\w\s'-]+?)\s+(?<colour>(?:(?:light|dark|sky|navy|hot|royal|forest)\s+)?[a-z]+|#[0-9a-f]{3,6})$")]
    private static partial Regex PaintColour();

    [GeneratedRegex(@"^(?:please\s+)?(?:put|add|paint|draw|place|give)\s+(?<what>.+?)\s+(?:on|onto|over|to)\s+(?<target>[\w\s'-]+)$")]
    private static partial Regex PutOn();

    [GeneratedRegex(@"\b(?:background|backdrop|backgrounds)$")]
    private static partial Regex Backdrop();

    [GeneratedRegex(@"^(?:the|a|an|this|that|my)\s+")]
    private static partial Regex Article();
}
