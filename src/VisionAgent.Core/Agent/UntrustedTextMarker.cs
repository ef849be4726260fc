using System.Text;

namespace VisionAgent.Core.Agent;

/// <summary>
/// Spotlighting: text that experts read from images (OCR, captions, labels) is delimited and datamarked
/// (every whitespace run replaced by a marker) so that instructions hidden in an image read as data.
/// The system prompt explains the marks.
/// </summary>
public sealed class UntrustedTextMarker
{
    public const string Begin = "<<data>>";
    public const string End = "<</data>>";

    public UntrustedTextMarker(char marker = '^') => Marker = marker;

    public char Marker { get; }

    public string Mark(string text)
    {
        var builder = new StringBuilder(text.Length + 32);
        builder.Append(Begin).Append(' ');
        var inSpace = false;
        foreach (var c in text.Replace(Begin, "", StringComparison.Ordinal).Replace(End, "", StringComparison.Ordinal))
        {
            if (c is ' ' or '\t')
            {
                if (!inSpace) builder.Append(Marker);
                inSpace = true;
                continue;
            }
            inSpace = false;
            builder.Append(c == Marker ? ' ' : c);
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
}
