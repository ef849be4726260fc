namespace VisionAgent.Plugins.Ocr;

/// <summary>One character the recogniser emitted: its class, the time steps it spans, its probability, and the space class's best probability in the blank steps before it.</summary>
internal readonly record struct CtcEmission(int Class, int FirstStep, int LastStep, float Probability, float GapSpace);

/// <summary>
/// Greedy CTC decoding for PaddleOCR recognisers: the best class per time step, repeats collapsed, blanks
/// (class 0) dropped. Class i is line i-1 of the dictionary; the class after the last line is a space.
/// The Chinese-trained recogniser often lets the blank win over the space between Latin words, most of all
/// between capitals and digits. A space is kept where the space class reaches <c>spaceThreshold</c> in the blank
/// steps between two characters, or reaches the lower <c>wideGapSpaceThreshold</c> in a gap wider than the line's
/// usual gap between characters (its median blank run): the gap's width relative to the line's own pitch holds
/// across fonts, sizes and letter case, where the space class's probability alone does not.
/// </summary>
public sealed class CtcDecoder
{
    private readonly string[] _symbols;
    private readonly float _spaceThreshold;
    private readonly float _wideGapSpaceThreshold;

    /// <param name="dictionary">The recogniser's symbols, class 1 onwards.</param>
    /// <param name="spaceThreshold">Space-class probability that keeps a space in any gap; above 1 turns space recovery off.</param>
    /// <param name="wideGapSpaceThreshold">Space-class probability that keeps a space in a gap wider than the line's usual one; above 1 turns that off.</param>
    public CtcDecoder(IReadOnlyList<string> dictionary, float spaceThreshold = 2, float wideGapSpaceThreshold = 2)
    {
        _spaceThreshold = spaceThreshold;
        _wideGapSpaceThreshold = wideGapSpaceThreshold;
        _symbols = new string[dictionary.Count + 2];
        _symbols[0] = "";
        for (var i = 0; i < dictionary.Count; i++) _symbols[i + 1] = dictionary[i];
        _symbols[^1] = " ";
    }

    /// <summary>Number of classes the recogniser must output (blank + dictionary + space).</summary>
    public int ClassCount => _symbols.Length;

    public static CtcDecoder FromFile(string keysPath, float spaceThreshold = 2, float wideGapSpaceThreshold = 2)
    {
        var lines = File.ReadAllLines(keysPath, System.Text.Encoding.UTF8);
        // A trailing empty line is the file's final newline, not a symbol.
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        return new CtcDecoder(lines.AsSpan(0, count).ToArray(), spaceThreshold, wideGapSpaceThreshold);
    }

    /// <summary>Decodes one sequence of <paramref name="steps"/> probability vectors; confidence is the mean best probability of the kept steps.</summary>
    public (string Text, float Confidence) Decode(ReadOnlySpan<float> probabilities, int steps, int classes)
    {
        var emissions = Emissions(probabilities, steps, classes);
        var spaceClass = classes - 1;
        var usualGap = MedianGapBetweenCharacters(emissions, spaceClass);
        var text = new System.Text.StringBuilder();
        double sum = 0;
        for (var i = 0; i < emissions.Count; i++)
        {
            var emission = emissions[i];
            if (emission.Class != spaceClass && text.Length > 0 && text[^1] != ' ')
            {
                var gap = emission.FirstStep - emissions[i - 1].LastStep - 1;
                var threshold = gap > usualGap ? MathF.Min(_spaceThreshold, _wideGapSpaceThreshold) : _spaceThreshold;
                if (emission.GapSpace >= threshold) text.Append(' ');
            }
            text.Append(_symbols[emission.Class]);
            sum += emission.Probability;
        }
        return (text.ToString(), emissions.Count == 0 ? 0 : (float)(sum / emissions.Count));
    }

    /// <summary>The median number of blank steps between two neighbouring characters that no space class separates.</summary>
    private static float MedianGapBetweenCharacters(List<CtcEmission> emissions, int spaceClass)
    {
        var gaps = new List<int>(emissions.Count);
        for (var i = 1; i < emissions.Count; i++)
        {
            if (emissions[i].Class != spaceClass && emissions[i - 1].Class != spaceClass)
                gaps.Add(emissions[i].FirstStep - emissions[i - 1].LastStep - 1);
        }
        if (gaps.Count == 0) return float.MaxValue;
        gaps.Sort();
        return gaps.Count % 2 == 1 ? gaps[gaps.Count / 2] : (gaps[gaps.Count / 2 - 1] + gaps[gaps.Count / 2]) / 2f;
    }

    /// <summary>The characters of the best path, repeats collapsed and blanks dropped.</summary>
    internal List<CtcEmission> Emissions(ReadOnlySpan<float> probabilities, int steps, int classes)
    {
        if (classes != _symbols.Length)
            throw new ArgumentException($"the recogniser outputs {classes} classes, the dictionary gives {_symbols.Length}", nameof(classes));
        var emissions = new List<CtcEmission>();
        var spaceClass = classes - 1;
        var previous = -1;
        var gapSpace = 0f;
        for (var t = 0; t < steps; t++)
        {
            var row = probabilities.Slice(t * classes, classes);
            var best = ArgMax(row);
            if (best == 0)
            {
                gapSpace = MathF.Max(gapSpace, row[spaceClass]);
            }
            else if (best == previous)
            {
                emissions[^1] = emissions[^1] with { LastStep = t };
            }
            else
            {
                emissions.Add(new CtcEmission(best, t, t, row[best], gapSpace));
                gapSpace = 0;
            }
            previous = best;
        }
        return emissions;
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
