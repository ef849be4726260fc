using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>
/// A scale factor: "x1.5", "2x", "half the size" (0.5), "a quarter of its size" (0.25), "twice as big" (2),
/// "50%" (0.5), "shrink by 25%" (0.75), "enlarge by 50%" (1.5), "by a factor of 3", "scale it down by 2" (0.5).
/// Pixel sizes ("640 wide", "64x64") are not scale factors.
/// </summary>
public sealed partial class ScaleSlot : SlotType
{
    public override string Name => "scale";

    public override string Need => "the size or scale";

    public override IReadOnlyList<string> Examples { get; } =
        ["half the size", "a quarter of its size", "twice as big", "x1.5", "50%", "shrink by 25%", "scale it down by 2"];

    public override string? Extract(SlotQuestion question)
    {
        var text = question.Text;
        var shrinking = Shrink().IsMatch(text);
        double? factor = null;
        if (Times().Match(text) is { Success: true } times) factor = Parse(times.Groups["n"].Value);
        else if (Percent().Match(text) is { Success: true } percent)
        {
            var share = Parse(percent.Groups["n"].Value) / 100;
            factor = percent.Groups["by"].Success ? (shrinking ? 1 - share : 1 + share) : share;
        }
        else if (Factor().Match(text) is { Success: true } by)
        {
            var n = Parse(by.Groups["n"].Value);
            factor = shrinking && n > 1 ? 1 / n : n;
        }
        else if (Fraction().Match(text) is { Success: true } fraction)
        {
            factor = fraction.Groups["f"].Value switch
            {
                "half" => 0.5,
                "third" => 1.0 / 3,
                "quarter" or "fourth" => 0.25,
                "double" or "twice" or "two times" => 2,
                "triple" or "thrice" or "three times" => 3,
                _ => 4,
            };
            if (fraction.Groups["f"].Value.EndsWith("times", StringComparison.Ordinal) && fraction.Groups["smaller"].Success) factor = 1 / factor;
        }
        return factor is > 0 and <= 100 ? Number(factor.Value) : null;
    }

    [GeneratedRegex(@"\b(?:shrink|reduce|smaller|decrease|down(?:scale|size)?|less|lower|cut)\b")]
    private static partial Regex Shrink();

    [GeneratedRegex(@"(?:(?<![\w.,])x\s?(?<n>\d{1,3}(?:\.\d+)?)(?![\d.,x])|(?<![\w.,])(?<n>\d{1,3}(?:\.\d+)?)\s?x(?![\w\d]))")]
    private static partial Regex Times();

    [GeneratedRegex(@"(?:(?<by>\bby)\s+)?(?<![\d.])(?<n>\d{1,4}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")]
    private static partial Regex Percent();

    [GeneratedRegex(@"\b(?:(?:by )?(?:a )?factor(?: of)?|(?:scale|size|resize|shrink|enlarge|grow|reduce|blow)\b(?:\s+(?:it|this|the\s+\w+|image|picture|photo))?(?:\s+(?:up|down))?\s+by)\s+(?<n>\d{1,3}(?:\.\d+)?)(?!\s*(?:%|px|pixels?|degrees?|x\b|times))")]
    private static partial Regex Factor();

    [GeneratedRegex(@"(?<!\b(?:left|right|top|bottom|upper|lower|middle)\s)\b(?<f>half|third|quarter|fourth|double|twice|triple|thrice|two times|three times|four times)\b(?:.*\b(?<smaller>smaller)\b)?")]
    private static partial Regex Fraction();
}
