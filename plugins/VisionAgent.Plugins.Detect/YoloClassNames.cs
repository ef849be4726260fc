using System.Globalization;
using System.Text;
using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Detect;

/// <summary>Class names of a YOLO model, read from its <c>names</c> metadata or a labels file.</summary>
public sealed class YoloClassNames
{
    private const int MaxLabelLength = 48;
    private readonly string[] _names;
    private readonly Dictionary<string, int> _byName;

    public YoloClassNames(IReadOnlyList<string> names, bool fromModelFile)
    {
        _names = names.Select(Clean).ToArray();
        FromModelFile = fromModelFile;
        _byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _names.Length; i++) _byName.TryAdd(_names[i], i);
    }

    public int Count => _names.Length;

    /// <summary>True when the names came from the model file, which is third-party text.</summary>
    public bool FromModelFile { get; }

    /// <summary>The name of a class, or "classN" past the known names.</summary>
    public string this[int classId] =>
        classId >= 0 && classId < _names.Length ? _names[classId] : string.Create(CultureInfo.InvariantCulture, $"class{classId}");

    public static YoloClassNames None { get; } = new([], fromModelFile: false);

    public bool TryFind(string name, out int classId)
    {
        if (_byName.TryGetValue(name.Trim(), out classId)) return true;
        var trimmed = name.Trim();
        if (trimmed.StartsWith("class", StringComparison.OrdinalIgnoreCase)) trimmed = trimmed[5..];
        return int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out classId) && classId >= 0;
    }

    public IReadOnlyList<string> Names => _names;

    /// <summary>
    /// Parses the Python-dict text Ultralytics writes (<c>{0: 'person', 1: 'bicycle'}</c>); also takes double
    /// quotes, JSON-style quoted keys and a trailing comma. Gaps in the ids become "classN".
    /// </summary>
    public static IReadOnlyList<string> ParseMetadata(string text)
    {
        var entries = new SortedDictionary<int, string>();
        var i = 0;
        SkipSpace(text, ref i);
        Expect(text, ref i, '{');
        while (true)
        {
            SkipSpace(text, ref i);
            if (i < text.Length && text[i] == '}') break;
            var key = ParseKey(text, ref i);
            SkipSpace(text, ref i);
            Expect(text, ref i, ':');
            SkipSpace(text, ref i);
            var value = ParseQuoted(text, ref i);
            if (key > 100_000) throw Malformed("class id too large");
            entries[key] = value;
            SkipSpace(text, ref i);
            if (i < text.Length && text[i] == ',')
            {
                i++;
                continue;
            }
            if (i < text.Length && text[i] == '}') break;
            throw Malformed($"expected ',' or '}}' at {i}");
        }
        if (entries.Count == 0) return [];
        var names = new string[entries.Keys.Max() + 1];
        for (var id = 0; id < names.Length; id++)
            names[id] = entries.TryGetValue(id, out var name) ? name : string.Create(CultureInfo.InvariantCulture, $"class{id}");
        return names;
    }

    /// <summary>One class name per line; blank lines are skipped only at the end.</summary>
    public static IReadOnlyList<string> ReadLabelsFile(string path)
    {
        if (!File.Exists(path)) throw new BadInputException($"labels file not found: {path}");
        var lines = File.ReadAllLines(path).ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines.RemoveAt(lines.Count - 1);
        return lines.Select(l => l.Trim()).ToList();
    }

    // Labels end up in observations and drawings: no control characters, bounded length.
    private static string Clean(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, MaxLabelLength));
        foreach (var c in name)
        {
            if (builder.Length == MaxLabelLength) break;
            builder.Append(char.IsControl(c) ? ' ' : c);
        }
        var cleaned = builder.ToString().Trim();
        return cleaned.Length == 0 ? "object" : cleaned;
    }

    private static int ParseKey(string text, ref int i)
    {
        var quoted = i < text.Length && text[i] is '\'' or '"';
        if (quoted)
        {
            var raw = ParseQuoted(text, ref i);
            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Malformed($"key '{raw}' is not a class id");
        }
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i == start) throw Malformed($"expected a class id at {start}");
        return int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw Malformed("class id too large");
    }

    private static string ParseQuoted(string text, ref int i)
    {
        if (i >= text.Length || text[i] is not ('\'' or '"')) throw Malformed($"expected a quoted name at {i}");
        var quote = text[i++];
        var builder = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                builder.Append(text[i] switch { 'n' => '\n', 't' => '\t', _ => text[i] });
            }
            else
            {
                builder.Append(text[i]);
            }
            i++;
        }
        if (i >= text.Length) throw Malformed("unterminated name");
        i++;
        return builder.ToString();
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
    }

    private static void Expect(string text, ref int i, char c)
    {
        if (i >= text.Length || text[i] != c) throw Malformed($"expected '{c}' at {i}");
        i++;
    }

    private static BadInputException Malformed(string detail) =>
        new($"the model's names metadata is malformed ({detail})");
}
