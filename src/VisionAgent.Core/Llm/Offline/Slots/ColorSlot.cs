using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>
/// A colour by name ("blue", "sky blue", "dark green") or hex ("#87ceeb"), written as a CSS colour name or hex
/// that the editors parse. With several colours named, the last one is the wanted one ("from white to blue").
/// </summary>
public sealed partial class ColorSlot : SlotType
{
    // CSS colour names; two-word phrasings map to the joined CSS name.
    private static readonly (string Words, string Css)[] Names =
    [
        ("sky blue", "skyblue"), ("light blue", "lightblue"), ("dark blue", "darkblue"), ("navy blue", "navy"), ("royal blue", "royalblue"),
        ("light green", "lightgreen"), ("dark green", "darkgreen"), ("forest green", "forestgreen"), ("light grey", "lightgray"),
        ("light gray", "lightgray"), ("dark grey", "darkgray"), ("dark gray", "darkgray"), ("hot pink", "hotpink"), ("light pink", "lightpink"),
        ("dark red", "darkred"), ("off white", "ivory"), ("off-white", "ivory"),
        ("white", "white"), ("black", "black"), ("red", "red"), ("green", "green"), ("blue", "blue"), ("yellow", "yellow"),
        ("orange", "orange"), ("purple", "purple"), ("pink", "pink"), ("brown", "brown"), ("grey", "gray"), ("gray", "gray"),
        ("silver", "silver"), ("gold", "gold"), ("navy", "navy"), ("teal", "teal"), ("cyan", "cyan"), ("magenta", "magenta"),
        ("beige", "beige"), ("maroon", "maroon"), ("olive", "olive"), ("lime", "lime"), ("indigo", "indigo"), ("violet", "violet"),
        ("turquoise", "turquoise"), ("lavender", "lavender"), ("cream", "ivory"), ("ivory", "ivory"), ("khaki", "khaki"),
        ("crimson", "crimson"), ("coral", "coral"), ("salmon", "salmon"), ("tan", "tan"), ("aqua", "aqua"),
    ];

    public override string Name => "color";

    public override string Need => "the colour";

    public override IReadOnlyList<string> Examples { get; } = ["blue", "sky blue", "dark green", "#87ceeb"];

    public override string? Extract(SlotQuestion question) => Find(question.Text)?.Css;

    // One pattern for every name, longest phrasing first, so "light blue" is one match rather than "blue".
    private static readonly Regex NamePattern = new(
        @"(?<![\w-])(?:" + string.Join("|", Names.Select(n => n.Words).OrderByDescending(w => w.Length).Select(Regex.Escape)) + @")(?![\w-])",
        RegexOptions.CultureInvariant);

    /// <summary>The last colour named in the text, with the words that named it.</summary>
    public static (string Words, string Css)? Find(string text)
    {
        var last = NamePattern.Matches(text).Cast<Match>().Concat(Hex().Matches(text)).MaxBy(m => m.Index);
        if (last is null) return null;
        return last.Value.StartsWith('#') ? (last.Value, last.Value) : Names.First(n => n.Words == last.Value);
    }

    [GeneratedRegex(@"#(?:[0-9a-f]{6}|[0-9a-f]{3})\b")]
    private static partial Regex Hex();
}
