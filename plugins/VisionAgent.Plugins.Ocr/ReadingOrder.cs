namespace VisionAgent.Plugins.Ocr;

/// <summary>
/// Puts lines in reading order: rows from top to bottom (a line joins a row when it overlaps the row
/// vertically by at least half its height), lines within a row from left to right.
/// </summary>
public static class ReadingOrder
{
    public static IReadOnlyList<OcrLine> Sort(IReadOnlyList<OcrLine> lines)
    {
        var rows = new List<(float Top, float Bottom, List<OcrLine> Lines)>();
        foreach (var line in lines.OrderBy(l => (l.Box.Y1 + l.Box.Y2) / 2))
        {
            var placed = false;
            for (var i = 0; i < rows.Count && !placed; i++)
            {
                var (top, bottom, members) = rows[i];
                var overlap = MathF.Min(bottom, line.Box.Y2) - MathF.Max(top, line.Box.Y1);
                if (overlap < 0.5f * MathF.Min(line.Box.Height, bottom - top)) continue;
                members.Add(line);
                rows[i] = (MathF.Min(top, line.Box.Y1), MathF.Max(bottom, line.Box.Y2), members);
                placed = true;
            }
            if (!placed) rows.Add((line.Box.Y1, line.Box.Y2, [line]));
        }
        var ordered = new List<OcrLine>(lines.Count);
        var rowIndex = 0;
        foreach (var row in rows.OrderBy(r => r.Top))
        {
            foreach (var line in row.Lines.OrderBy(l => l.Box.X1)) ordered.Add(line with { Row = rowIndex });
            rowIndex++;
        }
        return ordered;
    }

    /// <summary>Lines of a row joined by spaces, rows by newlines.</summary>
    public static string FullText(IReadOnlyList<OcrLine> ordered) =>
        string.Join('\n', ordered.GroupBy(l => l.Row).Select(row => string.Join(' ', row.Select(l => l.Text))));
}
