using System.Buffers;
using VisionAgent.Onnx.TensorMath;

namespace VisionAgent.Plugins.Detect;

/// <summary>The two YOLO output layouts in use.</summary>
public enum YoloLayout
{
    /// <summary>YOLOv8/YOLO11: [1, 4+C, N], rows cx, cy, w, h then one score per class, no objectness.</summary>
    V8,

    /// <summary>YOLOv5: [1, N, 5+C], each row cx, cy, w, h, objectness, then class scores.</summary>
    V5,
}

/// <summary>Turns a YOLO output tensor into scored boxes (in model-input pixels) above a confidence threshold.</summary>
public static class YoloOutputDecoder
{
    /// <summary>
    /// Picks the layout from the output's [1, A, B] shape: with C known class names, A = 4+C means v8 and
    /// B = 5+C means v5; otherwise the smaller dimension holds the channels.
    /// </summary>
    public static YoloLayout InferLayout(long rows, long columns, int knownClasses)
    {
        if (knownClasses > 0)
        {
            if (rows == 4 + knownClasses) return YoloLayout.V8;
            if (columns == 5 + knownClasses) return YoloLayout.V5;
        }
        return rows < columns ? YoloLayout.V8 : YoloLayout.V5;
    }

    public static int ClassCount(YoloLayout layout, long rows, long columns) =>
        (int)(layout == YoloLayout.V8 ? rows - 4 : columns - 5);

    /// <summary>
    /// Appends every box whose best allowed class scores above <paramref name="confidence"/> to <paramref name="into"/>.
    /// <paramref name="allowed"/> (indexed by class id) limits the classes; null allows all.
    /// </summary>
    public static void Decode(ReadOnlySpan<float> output, YoloLayout layout, int rows, int columns, float confidence, bool[]? allowed, List<ScoredBox> into)
    {
        if ((long)rows * columns > output.Length)
            throw new ArgumentException($"the output holds {output.Length} values, not {rows}x{columns}", nameof(output));
        if (layout == YoloLayout.V8) DecodeV8(output, rows - 4, columns, confidence, allowed, into);
        else DecodeV5(output, rows, columns - 5, confidence, allowed, into);
    }

    // Channel-major: one pass per class row keeps memory access sequential (the naive per-anchor loop strides by N).
    private static void DecodeV8(ReadOnlySpan<float> output, int classes, int anchors, float confidence, bool[]? allowed, List<ScoredBox> into)
    {
        if (classes <= 0) return;
        var best = ArrayPool<float>.Shared.Rent(anchors);
        var bestClass = ArrayPool<int>.Shared.Rent(anchors);
        try
        {
            var bestSpan = best.AsSpan(0, anchors);
            var classSpan = bestClass.AsSpan(0, anchors);
            bestSpan.Fill(float.NegativeInfinity);
            classSpan.Fill(-1);
            for (var c = 0; c < classes; c++)
            {
                if (allowed is not null && (c >= allowed.Length || !allowed[c])) continue;
                var row = output.Slice((4 + c) * anchors, anchors);
                for (var i = 0; i < anchors; i++)
                {
                    if (row[i] > bestSpan[i])
                    {
                        bestSpan[i] = row[i];
                        classSpan[i] = c;
                    }
                }
            }
            var cx = output[..anchors];
            var cy = output.Slice(anchors, anchors);
            var w = output.Slice(2 * anchors, anchors);
            var h = output.Slice(3 * anchors, anchors);
            for (var i = 0; i < anchors; i++)
            {
                if (!(bestSpan[i] > confidence)) continue;
                into.Add(FromCenter(cx[i], cy[i], w[i], h[i], bestSpan[i], classSpan[i]));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(bestClass);
        }
    }

    private static void DecodeV5(ReadOnlySpan<float> output, int anchors, int classes, float confidence, bool[]? allowed, List<ScoredBox> into)
    {
        var stride = 5 + classes;
        for (var i = 0; i < anchors; i++)
        {
            var row = output.Slice(i * stride, stride);
            var objectness = row[4];
            if (!(objectness > confidence)) continue;
            var bestScore = float.NegativeInfinity;
            var bestClass = -1;
            for (var c = 0; c < classes; c++)
            {
                if (allowed is not null && (c >= allowed.Length || !allowed[c])) continue;
                if (row[5 + c] > bestScore)
                {
                    bestScore = row[5 + c];
                    bestClass = c;
                }
            }
            if (bestClass < 0) continue;
            // YOLOv5's confidence is objectness times the class probability.
            var score = objectness * bestScore;
            if (!(score > confidence)) continue;
            into.Add(FromCenter(row[0], row[1], row[2], row[3], score, bestClass));
        }
    }

    private static ScoredBox FromCenter(float cx, float cy, float w, float h, float score, int classId) =>
        new(cx - (w / 2), cy - (h / 2), cx + (w / 2), cy + (h / 2), score, classId);
}
