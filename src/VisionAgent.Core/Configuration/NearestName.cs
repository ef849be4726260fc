namespace VisionAgent.Core.Configuration;

/// <summary>
/// The "did you mean" for a mistyped command, option, choice or configuration key: the known name closest to what
/// was typed, when it is close enough to be a slip (a letter or two wrong, missing, extra or swapped, or a prefix).
/// </summary>
public static class NearestName
{
    /// <summary>The closest of <paramref name="known"/> to <paramref name="typed"/>, or null when none is close.</summary>
    public static string? Find(string typed, IEnumerable<string> known)
    {
        var bare = typed.TrimStart('-').ToLowerInvariant();
        if (bare.Length == 0) return null;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known.Distinct(StringComparer.Ordinal))
        {
            var candidate = name.TrimStart('-').ToLowerInvariant();
            if (candidate.Length == 0 || candidate == bare && name == typed) continue;
            var distance = Distance(bare, candidate);
            // A long enough prefix ("--max" for "--max-steps") is as good as one slip.
            if (bare.Length >= 3 && candidate.StartsWith(bare, StringComparison.Ordinal)) distance = Math.Min(distance, 1);
            if (distance <= Allowed(bare.Length) && distance < bestDistance)
            {
                best = name;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>" did you mean 'x'?" to append to a message, or an empty string.</summary>
    public static string Hint(string typed, IEnumerable<string> known) =>
        Find(typed, known) is { } near ? $"; did you mean '{near}'?" : "";

    private static int Allowed(int length) => length <= 4 ? 1 : length <= 8 ? 2 : 3;

    /// <summary>Edits between two words: insertions, deletions, substitutions and swaps of neighbours.</summary>
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3) return int.MaxValue;
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
