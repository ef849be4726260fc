namespace VisionAgent.Onnx.TensorMath;

/// <summary>A scored, classed box in any pixel frame (corners X1,Y1 inclusive, X2,Y2 exclusive).</summary>
public readonly record struct ScoredBox(float X1, float Y1, float X2, float Y2, float Score, int ClassId)
{
    public float Area => MathF.Max(0, X2 - X1) * MathF.Max(0, Y2 - Y1);
}

/// <summary>
/// Greedy non-maximum suppression. Candidates are sorted once by score; each one is compared only with the
/// boxes already kept (of its class, when class-aware), so the cost is candidates x kept rather than
/// candidates squared, and the loop stops as soon as the maximum number of boxes is reached.
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
        // Kept boxes per class: each candidate only meets the boxes that can suppress it.
        var keptByClass = new Dictionary<int, List<int>>();
        var all = classAware ? null : new List<int>();
        foreach (var index in order)
        {
            ref readonly var box = ref candidates[index];
            List<int> rivals;
            if (classAware)
            {
                if (!keptByClass.TryGetValue(box.ClassId, out rivals!))
                {
                    rivals = [];
                    keptByClass[box.ClassId] = rivals;
                }
            }
            else
            {
                rivals = all!;
            }
            if (Overlaps(candidates, box, rivals, iouThreshold)) continue;
            rivals.Add(index);
            kept.Add(index);
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

    private static bool Overlaps(ReadOnlySpan<ScoredBox> candidates, in ScoredBox box, List<int> rivals, float iouThreshold)
    {
        foreach (var other in rivals)
        {
            if (IntersectionOverUnion(box, candidates[other]) > iouThreshold) return true;
        }
        return false;
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
}
