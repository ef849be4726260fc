using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>
/// A clockwise rotation in degrees, 0 to 359: "by 180°", "90 degrees counter-clockwise" (270), "upside down" (180),
/// "a quarter turn to the left" (270), "rotate it right" (90).
/// </summary>
public sealed partial class AngleSlot : SlotType
{
    public override string Name => "angle";

    public override string Need => "the angle";

    public override IReadOnlyList<string> Examples { get; } =
        ["by 90 degrees", "180°", "45 degrees counter-clockwise", "upside down", "a quarter turn to the left", "rotate it right"];

    public override string? Extract(SlotQuestion question)
    {
        var text = question.Text;
        double? degrees = null;
        var number = Degrees().Match(text);
        if (number.Success) degrees = Parse(number.Groups["n"].Value);
        else if (UpsideDown().IsMatch(text)) degrees = 180;
        else if (Turn().Match(text) is { Success: true } turn)
            degrees = turn.Groups["part"].Value switch { "half" => 180, "three quarter" or "three-quarter" => 270, _ => 90 };
        else if (BareNumber().Match(text) is { Success: true } bare) degrees = Parse(bare.Groups["n"].Value);

        var counterClockwise = CounterClockwise().IsMatch(text);
        var clockwise = !counterClockwise && Clockwise().IsMatch(text);
        if (degrees is null && (counterClockwise || clockwise)) degrees = 90;
        if (degrees is null) return null;

        var signed = counterClockwise ? -degrees.Value : degrees.Value;
        var normalised = ((signed % 360) + 360) % 360;
        return Number(normalised);
    }

    [GeneratedRegex(@"(?<![\d.])(?<n>-?\d{1,4}(?:\.\d+)?)\s*(?:degrees?|degs?)\b")]
    private static partial Regex Degrees();

    // "rotate it 45" or "rotate by 45": a number right after the verb, with no other unit.
    [GeneratedRegex(@"\b(?:rotate|turn|spin|tilt)\b(?:\s+(?:it|this|the\s+\w+|image|picture|photo))?\s+(?:by\s+)?(?<n>-?\d{1,4}(?:\.\d+)?)(?!\s*(?:%|px|pixels?|x\b|times))")]
    private static partial Regex BareNumber();

    [GeneratedRegex(@"\bupside[\s-]down\b|\bon its head\b")]
    private static partial Regex UpsideDown();

    [GeneratedRegex(@"\b(?<part>half|quarter|three[\s-]quarter)(?:\s+of)?\s+(?:a\s+)?turn\b")]
    private static partial Regex Turn();

    [GeneratedRegex(@"\b(?:counter[\s-]?clockwise|anti[\s-]?clockwise|ccw|to the left|leftwards?|left)\b")]
    private static partial Regex CounterClockwise();

    [GeneratedRegex(@"\b(?:clockwise|cw|to the right|rightwards?|right)\b")]
    private static partial Regex Clockwise();
}
