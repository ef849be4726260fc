namespace VisionAgent.Onnx.TensorMath;

/// <summary>A scored, classed box in any pixel frame (corners X1,Y1 inclusive, X2,Y2 exclusive).</summary>
public readonly record struct ScoredBox(float X1, float Y1, float X2, float Y2, float Score, int ClassId)
{
    public float Area => MathF.Max(0, X2 - X1) * MathF.Max(0, Y2 - Y1);
}

/// <summary>
/// Greedy non-maximum suppression. Candidates are sorted once by score; each one is compared only with the
/// boxes already kept of its class that lie in the grid cells it touches (a box it does not intersect cannot
/// suppress it), so the cost stays near linear in the candidates, and the loop stops at the maximum kept.
/// </summary>
public static class NonMaxSuppression
{
    /// <summary>
    /// Returns the indices of the kept candidates, best score first. Boxes overlapping a better kept box
    /// by more than <paramref name="iouThreshold"/> are dropped; with <paramref name="classAware"/> only boxes of
    /// the same class suppress each other.
    /// </summary>
    public static int[] Apply(ReadOnlySpan<ScoredBox> candidates, float iouThreshold, int maxKept = int.MaxValue, bool classAware = true)
    {
        if (candidates.IsEmpty || maxKept <= 0) return [];
        var order = new int[candidates.Length];
        var scores = new float[candidates.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            // Negated so the ascending sort puts the best first; ties keep the lower index first below.
            scores[i] = -candidates[i].Score;
        }
        Array.Sort(scores, order);
        StabiliseTies(scores, order);

        var kept = new List<int>(Math.Min(maxKept, 256));
        var index = new KeptBoxIndex(CellSize(candidates));
        foreach (var candidate in order)
        {
            ref readonly var box = ref candidates[candidate];
            var group = classAware ? box.ClassId : 0;
            if (index.Overlaps(candidates, box, group, iouThreshold)) continue;
            index.Add(candidates, candidate, group);
            kept.Add(candidate);
            if (kept.Count == maxKept) break;
        }
        return [.. kept];
    }

    /// <summary>Intersection over union of two boxes; 0 when either is empty.</summary>
    public static float IntersectionOverUnion(in ScoredBox a, in ScoredBox b)
    {
        var iw = MathF.Min(a.X2, b.X2) - MathF.Max(a.X1, b.X1);
        if (iw <= 0) return 0;
        var ih = MathF.Min(a.Y2, b.Y2) - MathF.Max(a.Y1, b.Y1);
        if (ih <= 0) return 0;
        var intersection = iw * ih;
        var union = a.Area + b.Area - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    // Array.Sort is unstable: order equal scores by index so results do not depend on the sort's whims.
    private static void StabiliseTies(float[] keys, int[] order)
    {
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1) Array.Sort(order, start, i - start);
                start = i;
            }
        }
    }

    // About twice the mean box side: most boxes then touch four cells or fewer.
    private static float CellSize(ReadOnlySpan<ScoredBox> candidates)
    {
        double sum = 0;
        foreach (var box in candidates) sum += MathF.Max(0, box.X2 - box.X1) + MathF.Max(0, box.Y2 - box.Y1);
        var size = (float)(sum / candidates.Length);
        return float.IsFinite(size) && size > 1e-3f ? size : 1f;
    }

    /// <summary>
    /// Kept boxes bucketed by class and grid cell. Two boxes with a positive IoU intersect, so they share a cell:
    /// a candidate is only compared with the kept boxes in the cells it covers. Boxes spanning many cells go to a
    /// per-class list that every candidate of the class checks.
    /// </summary>
    private sealed class KeptBoxIndex(float cellSize)
    {
        private const int MaxCellsPerBox = 16;
        private readonly Dictionary<(int Group, int X, int Y), List<int>> _cells = [];
        private readonly Dictionary<int, List<int>> _large = [];

        public bool Overlaps(ReadOnlySpan<ScoredBox> candidates, in ScoredBox box, int group, float iouThreshold)
        {
            if (_large.TryGetValue(group, out var large) && AnyOverlap(candidates, box, large, iouThreshold)) return true;
            if (!TryCells(box, out var x1, out var y1, out var x2, out var y2))
            {
                // The candidate itself spans many cells: compare with every kept box of its group.
                foreach (var (key, list) in _cells)
                {
                    if (key.Group == group && AnyOverlap(candidates, box, list, iouThreshold)) return true;
                }
                return false;
            }
            for (var y = y1; y <= y2; y++)
            {
                for (var x = x1; x <= x2; x++)
                {
                    if (_cells.TryGetValue((group, x, y), out var list) && AnyOverlap(candidates, box, list, iouThreshold)) return true;
                }
            }
            return false;
        }

        public void Add(ReadOnlySpan<ScoredBox> candidates, int candidate, int group)
        {
            if (!TryCells(candidates[candidate], out var x1, out var y1, out var x2, out var y2))
            {
                if (!_large.TryGetValue(group, out var large)) _large[group] = large = [];
                large.Add(candidate);
                return;
            }
            for (var y = y1; y <= y2; y++)
            {
                for (var x = x1; x <= x2; x++)
                {
                    if (!_cells.TryGetValue((group, x, y), out var list)) _cells[(group, x, y)] = list = [];
                    list.Add(candidate);
                }
            }
        }

        private bool TryCells(in ScoredBox box, out int x1, out int y1, out int x2, out int y2)
        {
            x1 = Cell(box.X1);
            y1 = Cell(box.Y1);
            x2 = Cell(MathF.Max(box.X1, box.X2));
            y2 = Cell(MathF.Max(box.Y1, box.Y2));
            return (long)(x2 - x1 + 1) * (y2 - y1 + 1) <= MaxCellsPerBox;
        }

        private int Cell(float v) => (int)Math.Clamp(MathF.Floor(v / cellSize), -1_000_000f, 1_000_000f);

        private static bool AnyOverlap(ReadOnlySpan<ScoredBox> candidates, in ScoredBox box, List<int> kept, float iouThreshold)
        {
            foreach (var other in kept)
            {
                if (IntersectionOverUnion(box, candidates[other]) > iouThreshold) return true;
            }
            return false;
        }
    }
}
