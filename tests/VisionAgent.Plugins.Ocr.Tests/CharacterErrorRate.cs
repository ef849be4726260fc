namespace VisionAgent.Plugins.Ocr.Tests;

/// <summary>Character error rate: edit distance between recognised and expected text over the expected length, whitespace runs counted as one space.</summary>
public static class CharacterErrorRate
{
    public static double Compute(string expected, string actual)
    {
        var e = Normalize(expected);
        var a = Normalize(actual);
        return e.Length == 0 ? (a.Length == 0 ? 0 : 1) : (double)EditDistance(e, a) / e.Length;
    }

    public static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
