namespace VisionAgent.Onnx.TensorMath;

/// <summary>Selects the k largest values of a span without sorting it all (a small min-heap).</summary>
public static class TopK
{
    /// <summary>Indices of the <paramref name="k"/> largest values, largest first; ties favour the lower index.</summary>
    public static int[] Indices(ReadOnlySpan<float> values, int k)
    {
        k = Math.Min(k, values.Length);
        if (k <= 0) return [];
        // Heap of (value, index) with the worst kept element at the root.
        var heapValues = new float[k];
        var heapIndices = new int[k];
        var count = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (float.IsNaN(v)) continue;
            if (count < k)
            {
                heapValues[count] = v;
                heapIndices[count] = i;
                SiftUp(heapValues, heapIndices, count++);
            }
            else if (v > heapValues[0])
            {
                heapValues[0] = v;
                heapIndices[0] = i;
                SiftDown(heapValues, heapIndices, count);
            }
        }
        var result = heapIndices[..count];
        var keys = heapValues[..count];
        // Sort by value descending, then index ascending: sort ascending on (-value) with ties stabilised by index.
        for (var i = 0; i < keys.Length; i++) keys[i] = -keys[i];
        Array.Sort(keys, result);
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1) Array.Sort(result, start, i - start);
                start = i;
            }
        }
        return result;
    }

    // Worse = smaller value, or equal value with a larger index (so lower indices survive ties).
    private static bool Worse(float[] v, int[] idx, int a, int b) => v[a] < v[b] || (v[a] == v[b] && idx[a] > idx[b]);

    private static void SiftUp(float[] v, int[] idx, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Worse(v, idx, i, parent)) break;
            Swap(v, idx, i, parent);
            i = parent;
        }
    }

    private static void SiftDown(float[] v, int[] idx, int count)
    {
        var i = 0;
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= count) break;
            var worst = left;
            var right = left + 1;
            if (right < count && Worse(v, idx, right, left)) worst = right;
            if (!Worse(v, idx, worst, i)) break;
            Swap(v, idx, i, worst);
            i = worst;
        }
    }

    private static void Swap(float[] v, int[] idx, int a, int b)
    {
        (v[a], v[b]) = (v[b], v[a]);
        (idx[a], idx[b]) = (idx[b], idx[a]);
    }
}
