using System.Text;

namespace VisionAgent.Testing;

/// <summary>
/// Seeded mutations of valid YAML files for fuzzing the loaders: lines dropped, doubled, swapped or re-indented,
/// cuts, stray YAML punctuation, hostile values (empty, negative, huge, NaN, NUL, tags, anchors), and the shapes
/// known to hurt parsers (deep flow nesting, alias bombs, broken flow sequences). The same seed gives the same cases.
/// </summary>
public sealed class YamlMutator(int seed)
{
    private static readonly string[] HostileValues =
    [
        "", "~", "null", "-1", "0", "-0.0", "1e308", "-1e308", ".nan", ".inf", "-.inf", "2147483647", "2147483648",
        "99999999999999999999", "\"\\0\"", "\"a\\0b\"", "[", "{", "]", "}", "[a, b", "{a: b", "&anchor", "*anchor", "*missing",
        "!!binary AAAA", "!!python/object:os.system", "!custom x", "yes", "- item", "'unterminated", "\"unterminated",
        "|", ">", "? complex", "@reserved", "`reserved", "%TAG ! x", "&a [*a]", "{[a]: b}", "[[[[[[[[", "]]]]", "-", ": :",
    ];

    private static readonly string[] Punctuation = ["[", "]", "{", "}", ":", ",", "-", "&", "*", "!", "|", ">", "'", "\"", "#", "%", "@", "`", "?", "\t", "\n", " ", "\0", "\\"];

    private readonly Random _random = new(seed);

    /// <summary>One mutant of <paramref name="yaml"/>: one to three mutations applied in turn.</summary>
    public string Mutate(string yaml)
    {
        var text = yaml;
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++) text = MutateOnce(text);
        return text;
    }

    private string MutateOnce(string text)
    {
        var lines = text.Split('\n').ToList();
        var at = _random.Next(lines.Count);
        switch (_random.Next(12))
        {
            case 0:
                lines.RemoveAt(at);
                break;
            case 1:
                lines.Insert(at, lines[at]);
                break;
            case 2:
                var other = _random.Next(lines.Count);
                (lines[at], lines[other]) = (lines[other], lines[at]);
                break;
            case 3:
                lines[at] = _random.Next(2) == 0 ? "  " + lines[at] : lines[at].TrimStart();
                break;
            case 4:
                return text[.._random.Next(text.Length + 1)];
            case 5:
                var position = _random.Next(text.Length + 1);
                return text[..position] + Punctuation[_random.Next(Punctuation.Length)] + text[position..];
            case 6 or 7 or 8:
                var colon = lines[at].IndexOf(": ", StringComparison.Ordinal);
                var value = HostileValues[_random.Next(HostileValues.Length)];
                lines[at] = colon >= 0 ? lines[at][..(colon + 2)] + value : lines[at] + ": " + value;
                break;
            case 9:
                lines.Insert(at, Nesting(1 + _random.Next(2000)));
                break;
            case 10:
                lines.InsertRange(at, AliasBomb(2 + _random.Next(8)));
                break;
            default:
                var bytes = Encoding.UTF8.GetBytes(text);
                if (bytes.Length > 0) bytes[_random.Next(bytes.Length)] = (byte)_random.Next(256);
                return Encoding.UTF8.GetString(bytes);
        }
        return string.Join('\n', lines);
    }

    private string Nesting(int depth)
    {
        var closed = _random.Next(3) != 0;
        return "nest: " + new string('[', depth) + (closed ? new string(']', depth) : "");
    }

    private static IEnumerable<string> AliasBomb(int levels)
    {
        yield return "b0: &b0 [x, x, x, x, x, x, x, x, x, x]";
        for (var i = 1; i <= levels; i++)
        {
            var previous = $"*b{i - 1}";
            yield return $"b{i}: &b{i} [{string.Join(", ", Enumerable.Repeat(previous, 10))}]";
        }
    }
}
