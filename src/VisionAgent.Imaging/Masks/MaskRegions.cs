using VisionAgent.Abstractions;

namespace VisionAgent.Imaging.Masks;

/// <summary>One connected part of a mask: its pixel count and bounding box.</summary>
public sealed record MaskRegion(int Area, PixelBox Box);

/// <summary>Finds the connected parts of a mask (8-connected: pixels touching by an edge or a corner belong together).</summary>
public static class MaskRegions
{
    /// <summary>
    /// The regions of at least <paramref name="minArea"/> pixels, largest first (equal areas in reading order).
    /// Works on the runs of inside pixels of each row, joined where they touch the runs of the row above, so the
    /// memory it takes grows with the number of runs, not with the image.
    /// </summary>
    public static IReadOnlyList<MaskRegion> Find(BinaryMask mask, int minArea = 1)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var runs = new List<Run>();
        var parent = new List<int>();
        int previousFirst = 0, previousCount = 0;
        for (var y = 0; y < mask.Height; y++)
        {
            var row = mask.Row(y);
            var first = runs.Count;
            for (var x = 0; x < row.Length;)
            {
                var start = row[x..].IndexOfAnyExcept((byte)0);
                if (start < 0) break;
                start += x;
                var length = row[start..].IndexOf((byte)0);
                var end = length < 0 ? row.Length : start + length;
                parent.Add(runs.Count);
                runs.Add(new Run(y, start, end));
                x = end;
            }
            // Runs are in order along both rows, so the candidates above only move right.
            var above = previousFirst;
            var aboveEnd = previousFirst + previousCount;
            for (var r = first; r < runs.Count; r++)
            {
                while (above < aboveEnd && runs[above].End < runs[r].Start) above++;
                for (var q = above; q < aboveEnd && runs[q].Start <= runs[r].End; q++) Union(parent, q, r);
            }
            (previousFirst, previousCount) = (first, runs.Count - first);
        }

        var byRoot = new Dictionary<int, (int Order, int Area, int MinX, int MinY, int MaxX, int MaxY)>();
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var root = Root(parent, i);
            byRoot[root] = byRoot.TryGetValue(root, out var r)
                ? (r.Order, r.Area + run.End - run.Start, Math.Min(r.MinX, run.Start), r.MinY, Math.Max(r.MaxX, run.End), run.Y + 1)
                : (byRoot.Count, run.End - run.Start, run.Start, run.Y, run.End, run.Y + 1);
        }
        return byRoot.Values
            .Where(r => r.Area >= minArea)
            .OrderBy(r => r.Order)
            .OrderByDescending(r => r.Area)
            .Select(r => new MaskRegion(r.Area, new PixelBox(r.MinX, r.MinY, r.MaxX, r.MaxY)))
            .ToList();
    }

    private static int Root(List<int> parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void Union(List<int> parent, int a, int b)
    {
        var rootA = Root(parent, a);
        var rootB = Root(parent, b);
        // The earlier run stays the root, so a region's order is that of its first pixel in reading order.
        if (rootA < rootB) parent[rootB] = rootA;
        else if (rootB < rootA) parent[rootA] = rootB;
    }

    /// <summary>Inside pixels [Start, End) of row Y.</summary>
    private readonly record struct Run(int Y, int Start, int End);
}
