using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>
/// A factor where 1 means unchanged, read from graded words: "brighter" (1.3), "slightly dimmer" (0.9),
/// "much brighter" (1.6), "20% darker" (0.8), "no colour" (0). One instance per quality: brightness, contrast,
/// saturation.
/// </summary>
public sealed partial class GradedFactorSlot : SlotType
{
    private readonly Regex _more;
    private readonly Regex _less;
    private readonly Regex? _none;

    private GradedFactorSlot(string name, string more, string less, string? none, IReadOnlyList<string> examples)
    {
        Name = name;
        _more = new Regex(more, RegexOptions.CultureInvariant);
        _less = new Regex(less, RegexOptions.CultureInvariant);
        _none = none is null ? null : new Regex(none, RegexOptions.CultureInvariant);
        Examples = examples;
    }

    public static GradedFactorSlot Brightness { get; } = new("brightness",
        @"\b(?:brighter|brighten\w*|lighter|lighten\w*|(?:more|increase|raise|boost|up)\s+(?:the\s+)?(?:brightness|light)|brightness\s+up)\b",
        @"\b(?:darker|darken\w*|dimmer|dim|(?:less|reduce|lower|decrease|down)\s+(?:the\s+)?(?:brightness|bright|light)|brightness\s+down)\b",
        null,
        ["brighter", "brighten it", "slightly dimmer", "much brighter", "darken it a little", "20% darker"]);

    public static GradedFactorSlot Contrast { get; } = new("contrast",
        @"\b(?:(?:more|increase|raise|boost|higher|stronger|up|add)\s+(?:the\s+)?(?:\w+\s+)?contrast|contrast\s+up|punchier)\b",
        @"\b(?:(?:less|reduce|lower|decrease|soften|softer|weaker|down|tone down)\s+(?:the\s+)?(?:\w+\s+)?contrast|contrast\s+down|flatter)\b",
        null,
        ["more contrast", "increase the contrast", "slightly less contrast", "lower the contrast"]);

    public static GradedFactorSlot Saturation { get; } = new("saturation",
        @"\b(?:(?:more|increase|raise|boost|up)\s+(?:the\s+)?(?:saturation|colou?rs?)|more\s+(?:vivid|saturated|colou?rful|vibrant)|vivid|vibrant|saturate|richer\s+colou?rs?|colou?rs?\s+pop)\b",
        @"\b(?:(?:less|reduce|lower|decrease|down|tone\s+down)\s+(?:the\s+)?(?:saturation|colou?rs?)|less\s+(?:vivid|saturated|colou?rful)|desaturate\w*|muted|washed[\s-]out)\b",
        @"\b(?:black\s*(?:and|&)\s*white|b\s*&\s*w|gr[ae]y\s*scale|monochrome|no\s+colou?rs?|(?:remove|drop|strip|take\s+out)\s+(?:all\s+)?(?:the\s+)?colou?rs?|without\s+colou?rs?|colou?rless)\b",
        ["more vivid", "boost the saturation", "tone down the colours", "black and white", "no colour", "grayscale"]);

    public override string Name { get; }

    public override string Need => $"how much to change the {Name}";

    public override IReadOnlyList<string> Examples { get; }

    public override string? Extract(SlotQuestion question)
    {
        var text = question.Text;
        if (_none?.IsMatch(text) == true) return "0";
        var less = _less.Match(text);
        var more = _more.Match(text);
        var hit = less.Success && (!more.Success || less.Index < more.Index) ? less : more;
        if (!hit.Success) return null;
        var raising = hit == more;
        var change = Amount(text, hit);
        return Number(raising ? 1 + change : Math.Max(0, 1 - change));
    }

    /// <summary>How big a change the words around the hit ask for: a percentage, a small or large grade, else a moderate one.</summary>
    private static double Amount(string text, Match hit)
    {
        var before = text[Math.Max(0, hit.Index - 30)..hit.Index];
        var after = text[(hit.Index + hit.Length)..Math.Min(text.Length, hit.Index + hit.Length + 30)];
        var percent = Percent().Match(before + " " + after);
        if (percent.Success) return Math.Min(1, Parse(percent.Groups["n"].Value) / 100);
        if (Small().IsMatch(before) || Small().IsMatch(after)) return 0.1;
        if (Large().IsMatch(before) || Large().IsMatch(after)) return 0.5;
        return 0.3;
    }

    [GeneratedRegex(@"(?<n>\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")]
    private static partial Regex Percent();

    [GeneratedRegex(@"\b(?:slightly|a (?:little|bit|touch|tad)|somewhat|marginally|a little bit|subtly|gently|a hint)\b")]
    private static partial Regex Small();

    [GeneratedRegex(@"\b(?:much|a lot|way|far|lots|significantly|very|really|considerably|hugely|strongly|dramatically|a great deal)\b")]
    private static partial Regex Large();
}
