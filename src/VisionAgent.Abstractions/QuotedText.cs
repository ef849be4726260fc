using System.Globalization;
using System.Text;

namespace VisionAgent.Abstractions;

/// <summary>
/// Text from outside (a file name, a label from a model file) shown to the model as one quoted, escaped line: line
/// breaks, quotes and control characters are escaped and invisible format characters dropped, so it cannot start a
/// line of its own (a fake <c>SYSTEM:</c> or image entry) or close its quotes.
/// </summary>
public static class QuotedText
{
    private const string PlainPunctuation = " ._-+,()[]@&'";

    /// <summary>
    /// The text as it is when it is short and plain (letters, digits, spaces and common file-name punctuation),
    /// else <see cref="Quote"/>d.
    /// </summary>
    public static string Name(string text, int maxLength = 120)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plain = text.Length > 0 && text.Length <= maxLength && text.Trim().Length == text.Length
            && text.All(c => char.IsLetterOrDigit(c) || PlainPunctuation.Contains(c, StringComparison.Ordinal));
        return plain ? text : Quote(text, maxLength);
    }

    /// <summary>
    /// A value the model made up (a tool name, a handle, an argument name), quoted in a message at most
    /// <paramref name="maxLength"/> characters long (<see cref="Name"/>), with its full length when it was cut, so a
    /// megabyte of model output is never echoed back in full.
    /// </summary>
    public static string Excerpt(string text, int maxLength = 64)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shown = Name(text, maxLength);
        return text.Length > maxLength ? string.Create(CultureInfo.InvariantCulture, $"{shown} ({text.Length:N0} characters)") : shown;
    }

    public static string Quote(string text, int maxLength = 120)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        builder.Append('"');
        var shown = 0;
        foreach (var c in text)
        {
            if (shown == maxLength)
            {
                builder.Append('…');
                break;
            }
            var category = char.GetUnicodeCategory(c);
            if (category == UnicodeCategory.Format) continue;
            shown++;
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (category is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                        builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else
                        builder.Append(c);
                    break;
            }
        }
        builder.Append('"');
        return builder.ToString();
    }
}
