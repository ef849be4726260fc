namespace VisionAgent.Plugins.Ocr;

/// <summary>
/// Greedy CTC decoding for PaddleOCR recognisers: the best class per time step, repeats collapsed, blanks
/// (class 0) dropped. Class i is line i-1 of the dictionary; the class after the last line is a space.
/// The Chinese-trained recogniser often lets the blank win over the space between Latin words; where the space
/// class reaches <c>spaceThreshold</c> in the blank steps between two characters, a space is kept.
/// </summary>
public sealed class CtcDecoder
{
    private readonly string[] _symbols;
    private readonly float _spaceThreshold;

    /// <param name="dictionary">The recogniser's symbols, class 1 onwards.</param>
    /// <param name="spaceThreshold">Above 1 turns space recovery off.</param>
    public CtcDecoder(IReadOnlyList<string> dictionary, float spaceThreshold = 2)
    {
        _spaceThreshold = spaceThreshold;
        _symbols = new string[dictionary.Count + 2];
        _symbols[0] = "";
        for (var i = 0; i < dictionary.Count; i++) _symbols[i + 1] = dictionary[i];
        _symbols[^1] = " ";
    }

    /// <summary>Number of classes the recogniser must output (blank + dictionary + space).</summary>
    public int ClassCount => _symbols.Length;

    public static CtcDecoder FromFile(string keysPath, float spaceThreshold = 2)
    {
        var lines = File.ReadAllLines(keysPath, System.Text.Encoding.UTF8);
        // A trailing empty line is the file's final newline, not a symbol.
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        return new CtcDecoder(lines.AsSpan(0, count).ToArray(), spaceThreshold);
    }

    /// <summary>Decodes one sequence of <paramref name="steps"/> probability vectors; confidence is the mean best probability of the kept steps.</summary>
    public (string Text, float Confidence) Decode(ReadOnlySpan<float> probabilities, int steps, int classes)
    {
        if (classes != _symbols.Length)
            throw new ArgumentException($"the recogniser outputs {classes} classes, the dictionary gives {_symbols.Length}", nameof(classes));
        var text = new System.Text.StringBuilder();
        var previous = -1;
        double sum = 0;
        var kept = 0;
        var spaceClass = classes - 1;
        var gapSpace = 0f;
        for (var t = 0; t < steps; t++)
        {
            var row = probabilities.Slice(t * classes, classes);
            var best = ArgMax(row);
            if (best == 0) gapSpace = MathF.Max(gapSpace, row[spaceClass]);
            if (best != 0 && best != previous)
            {
                if (best != spaceClass && text.Length > 0 && text[^1] != ' ' && gapSpace >= _spaceThreshold) text.Append(' ');
                gapSpace = 0;
                text.Append(_symbols[best]);
                sum += row[best];
                kept++;
            }
            previous = best;
        }
        return (text.ToString(), kept == 0 ? 0 : (float)(sum / kept));
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        var max = row[0];
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > max) { max = row[i]; best = i; }
        }
        return best;
    }
}
