using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

public enum PixelAxis
{
    Width,
    Height,
}

/// <summary>
/// A width or height in pixels: "640 wide", "640 pixels wide", "width 640", "64x64", "640 by 480", "150 px high",
/// "200 pixels tall".
/// </summary>
public sealed partial class PixelSizeSlot(PixelAxis axis) : SlotType
{
    /// <summary>Larger numbers are not image sizes anyone means.</summary>
    public const int MaxPixels = 100_000;

    public override string Name => axis == PixelAxis.Width ? "width" : "height";

    public override string Need => axis == PixelAxis.Width ? "the width" : "the height";

    public override IReadOnlyList<string> Examples { get; } = axis == PixelAxis.Width
        ? ["640 wide", "640 pixels wide", "width 640", "64x64", "640 by 480"]
        : ["150 px high", "200 pixels tall", "height 150", "64x64", "640 by 480"];

    public override string? Extract(SlotQuestion question)
    {
        var text = question.Text;
        var pair = Pair().Match(text);
        if (pair.Success) return Valid(pair.Groups[axis == PixelAxis.Width ? "w" : "h"].Value);
        var single = axis == PixelAxis.Width ? Wide().Match(text) : High().Match(text);
        if (single.Success) return Valid(single.Groups["n"].Value);
        var named = axis == PixelAxis.Width ? WidthOf().Match(text) : HeightOf().Match(text);
        return named.Success ? Valid(named.Groups["n"].Value) : null;
    }

    private static string? Valid(string digits)
    {
        var value = Parse(digits);
        return value is >= 1 and <= MaxPixels ? Number(value) : null;
    }

    [GeneratedRegex(@"(?<![\d.,])(?<w>\d{1,6})\s*(?:px|pixels?)?\s*(?:x|×|by)\s*(?<h>\d{1,6})(?![\d.,])")]
    private static partial Regex Pair();

    [GeneratedRegex(@"(?<![\d.,])(?<n>\d{1,6})\s*(?:-\s*)?(?:px|pixels?)?\s*(?:wide|in width|across)\b")]
    private static partial Regex Wide();

    [GeneratedRegex(@"(?<![\d.,])(?<n>\d{1,6})\s*(?:-\s*)?(?:px|pixels?)?\s*(?:high|tall|in height)\b")]
    private static partial Regex High();

    [GeneratedRegex(@"\bwidth\s*(?:of|to|=|:|is)?\s*(?<n>\d{1,6})\b")]
    private static partial Regex WidthOf();

    [GeneratedRegex(@"\bheight\s*(?:of|to|=|:|is)?\s*(?<n>\d{1,6})\b")]
    private static partial Regex HeightOf();
}
