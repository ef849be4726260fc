using System.Globalization;
using System.Text;

namespace VisionAgent.Core.Agent;

/// <summary>
/// Spotlighting: text that experts read from images (OCR, captions, labels) is delimited and datamarked
/// (every whitespace run, line breaks included, replaced by a marker) so that instructions hidden in an image
/// read as data. The system prompt explains the marks. The text can never forge them: delimiters are removed
/// until none is left, the marker character becomes a space, and invisible format characters are dropped.
/// </summary>
public sealed class UntrustedTextMarker
{
    public const string Begin = "<<data>>";
    public const string End = "<</data>>";

    public UntrustedTextMarker(char marker = '^') => Marker = marker;

    public char Marker { get; }

    public string Mark(string text)
    {
        var clean = RemoveDelimiters(text);
        var builder = new StringBuilder(clean.Length + 32);
        builder.Append(Begin).Append(' ');
        var inSpace = false;
        foreach (var c in clean)
        {
            if (char.IsWhiteSpace(c) || c == Marker)
            {
                if (!inSpace) builder.Append(Marker);
                inSpace = true;
                continue;
            }
            // Zero-width and bidirectional controls could hide or reorder text; control characters could fake layout.
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Format or UnicodeCategory.Control) continue;
            inSpace = false;
            builder.Append(c);
        }
        builder.Append(' ').Append(End);
        return builder.ToString();
    }

    /// <summary>Reverses <see cref="Mark"/> for display to a person.</summary>
    public string Unmark(string marked)
    {
        var text = marked.Replace(Begin + " ", "", StringComparison.Ordinal).Replace(" " + End, "", StringComparison.Ordinal);
        return text.Replace(Marker, ' ');
    }

    private static string RemoveDelimiters(string text)
    {
        // One pass can assemble a new delimiter from the pieces around a removed one ("<<da<<data>>ta>>").
        var current = text;
        while (true)
        {
            var next = current.Replace(Begin, "", StringComparison.OrdinalIgnoreCase).Replace(End, "", StringComparison.OrdinalIgnoreCase);
            if (next.Length == current.Length) return next;
            current = next;
        }
    }
}
