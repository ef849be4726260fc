using System.Globalization;
using System.Text;

namespace VisionAgent.Abstractions;

/// <summary>
/// Quotes text that came from outside (an LLM's tool name, argument or handle) inside a message: at most a few
/// dozen characters on one line, so a megabyte of model output is never echoed back to the model or the user.
/// </summary>
public static class QuotedText
{
    /// <summary>How many characters of a foreign value a message quotes.</summary>
    public const int MaxQuotedLength = 64;

    /// <summary>The value cut to <paramref name="maxLength"/> characters, control characters shown as spaces, and its full length when cut.</summary>
    public static string Excerpt(string value, int maxLength = MaxQuotedLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        var cut = value.Length > maxLength;
        var head = cut ? value.AsSpan(0, char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength) : value.AsSpan();
        var builder = new StringBuilder(head.Length + 32);
        foreach (var c in head) builder.Append(char.IsControl(c) ? ' ' : c);
        if (cut) builder.Append(CultureInfo.InvariantCulture, $"... ({value.Length:N0} characters)");
        return builder.ToString();
    }
}
