using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>
/// A box x1,y1,x2,y2 in pixels: four numbers ("0,0,300,50", "(10, 20, 200, 300)"), or a named part of the image
/// ("the left half", "the top third", "the bottom right quarter", "the top left corner"), which needs the image's size.
/// </summary>
public sealed partial class BoxSlot : SlotType
{
    public override string Name => "box";

    public override string Need => "the region";

    public override IReadOnlyList<string> Examples { get; } =
        ["0,0,300,50", "(10, 20, 200, 300)", "the left half", "the top third", "the bottom right quarter", "the top left corner"];

    public override string? Extract(SlotQuestion question)
    {
        var numbers = Corners().Match(question.Text);
        if (numbers.Success)
        {
            var v = new[] { "x1", "y1", "x2", "y2" }.Select(g => Parse(numbers.Groups[g].Value)).ToArray();
            return v[2] > v[0] && v[3] > v[1] ? string.Join(",", v.Select(Number)) : null;
        }
        if (question.ImageWidth is not { } width || question.ImageHeight is not { } height) return null;

        var corner = Corner().Match(question.Text);
        if (corner.Success)
        {
            var top = corner.Groups["v"].Value is "top" or "upper";
            var left = corner.Groups["h"].Value == "left";
            return Box(left ? 0 : width / 2.0, top ? 0 : height / 2.0, left ? width / 2.0 : width, top ? height / 2.0 : height);
        }
        var part = Part().Match(question.Text);
        if (!part.Success) return null;
        var share = part.Groups["part"].Value switch { "half" => 0.5, "third" => 1.0 / 3, _ => 0.25 };
        return part.Groups["side"].Value switch
        {
            "left" => Box(0, 0, width * share, height),
            "right" => Box(width * (1 - share), 0, width, height),
            "top" or "upper" => Box(0, 0, width, height * share),
            "bottom" or "lower" => Box(0, height * (1 - share), width, height),
            _ => Box(0, height * (0.5 - share / 2), width, height * (0.5 + share / 2)),
        };
    }

    private static string Box(double x1, double y1, double x2, double y2) =>
        string.Join(",", new[] { x1, y1, x2, y2 }.Select(v => Number(Math.Round(v))));

    [GeneratedRegex(@"(?<![\d.])(?<x1>\d{1,5}(?:\.\d+)?)\s*,\s*(?<y1>\d{1,5}(?:\.\d+)?)\s*,\s*(?<x2>\d{1,5}(?:\.\d+)?)\s*,\s*(?<y2>\d{1,5}(?:\.\d+)?)(?![\d.])")]
    private static partial Regex Corners();

    [GeneratedRegex(@"\b(?<v>top|upper|bottom|lower)[\s-](?<h>left|right)\b(?:\s+(?:quarter|corner))?")]
    private static partial Regex Corner();

    [GeneratedRegex(@"\b(?<side>left|right|top|upper|bottom|lower|middle|centre|center)\s+(?<part>half|third|quarter)\b")]
    private static partial Regex Part();
}
