using System.Text.RegularExpressions;

namespace VisionAgent.Cli.Chat;

/// <summary>An image path found in a message: where it is in the text and the file it names.</summary>
public sealed record FoundPath(int Start, int Length, string Path);

/// <summary>
/// Finds image files typed into a chat message: quoted or not, POSIX or Windows, with spaces and parentheses.
/// A candidate counts only when the file exists, and the longest existing candidate wins, so
/// "describe C:\My Photos (2)\cat 1.png please" finds the whole path.
/// </summary>
public sealed partial class ImagePathFinder(Func<string, bool>? fileExists = null)
{
    private readonly Func<string, bool> _exists = fileExists ?? File.Exists;

    public IReadOnlyList<FoundPath> Find(string message)
    {
        var found = new List<FoundPath>();
        foreach (Match quoted in Quoted().Matches(message))
        {
            var inner = quoted.Groups["double"].Success ? quoted.Groups["double"].Value : quoted.Groups["single"].Value;
            if (Resolve(inner) is { } path) found.Add(new FoundPath(quoted.Index, quoted.Length, path));
        }

        var searchFrom = 0;
        foreach (Match ending in Extension().Matches(message))
        {
            var end = ending.Index + ending.Length;
            if (found.Any(f => end > f.Start && ending.Index < f.Start + f.Length)) continue;
            var floor = Math.Max(searchFrom, found.Where(f => f.Start + f.Length <= ending.Index).Select(f => f.Start + f.Length).DefaultIfEmpty(0).Max());
            for (var start = floor; start < ending.Index; start++)
            {
                if (start > 0 && !IsBoundary(message[start - 1])) continue;
                if (Resolve(message[start..end]) is not { } path) continue;
                found.Add(new FoundPath(start, end - start, path));
                searchFrom = end;
                break;
            }
        }
        return found.OrderBy(f => f.Start).ToList();
    }

    /// <summary>The message with every found path replaced by its handle, so the planner sees handles only.</summary>
    public static string Replace(string message, IReadOnlyList<(FoundPath Found, string Handle)> replacements)
    {
        var text = message;
        foreach (var (found, handle) in replacements.OrderByDescending(r => r.Found.Start))
            text = text[..found.Start] + handle + text[(found.Start + found.Length)..];
        return text;
    }

    private string? Resolve(string candidate)
    {
        var text = candidate.Trim();
        if (text.Length == 0) return null;
        text = ExpandHome(text);
        if (_exists(text)) return text;
        // Shells escape spaces and parentheses with backslashes; people paste such paths.
        if (!OperatingSystem.IsWindows() && text.Contains('\\', StringComparison.Ordinal))
        {
            var unescaped = ShellEscape().Replace(text, "$1");
            if (unescaped != text && _exists(unescaped)) return unescaped;
        }
        return null;
    }

    /// <summary>A leading <c>~</c> or <c>~/</c> is the user's home folder, as in a shell.</summary>
    public static string ExpandHome(string path)
    {
        if (path == "~") return Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
    }

    private static bool IsBoundary(char c) => char.IsWhiteSpace(c) || c is '(' or '[' or ',' or ';';

    [GeneratedRegex("\"(?<double>[^\"]+)\"|'(?<single>[^']+)'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\.(?:png|jpe?g|webp|bmp|gif|tiff?)(?=$|[\s,;!?)\]]|\.(?:\s|$))", RegexOptions.IgnoreCase)]
    private static partial Regex Extension();

    [GeneratedRegex(@"\\([ ()\[\]&'])")]
    private static partial Regex ShellEscape();
}
