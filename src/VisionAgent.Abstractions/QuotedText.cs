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
