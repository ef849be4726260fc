using System.Globalization;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>
/// One kind of value the offline planner can find in the words of a question (an angle, a size, a colour, ...).
/// A manifest names a slot type per function parameter; the planner asks for a required value it cannot find.
/// </summary>
public abstract class SlotType
{
    /// <summary>The name manifests use (<c>slots: { degrees: angle }</c>).</summary>
    public abstract string Name { get; }

    /// <summary>What the value is, for the answer that asks for it ("the angle").</summary>
    public abstract string Need { get; }

    /// <summary>Phrasings this slot type understands, for that answer and the README.</summary>
    public abstract IReadOnlyList<string> Examples { get; }

    /// <summary>The value as the tool takes it (invariant text), or null when the question does not give one.</summary>
    public abstract string? Extract(SlotQuestion question);

    protected static string Number(double value) =>
        Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);

    protected static double Parse(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>The question as slot types read it: lower case, bounded in length, with the size of the image it is about.</summary>
public sealed record SlotQuestion
{
    /// <summary>Questions longer than this are cut before any pattern runs on them.</summary>
    public const int MaxLength = 1000;

    public SlotQuestion(string text, int? imageWidth = null, int? imageHeight = null)
    {
        var bounded = text.Length > MaxLength ? text[..MaxLength] : text;
        Text = bounded.ToLowerInvariant().Replace('’', '\'').Replace("°", " degrees ", StringComparison.Ordinal).Trim();
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
    }

    public string Text { get; }

    public int? ImageWidth { get; }

    public int? ImageHeight { get; }
}
