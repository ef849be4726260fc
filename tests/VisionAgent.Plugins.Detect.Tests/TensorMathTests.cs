using VisionAgent.Onnx.TensorMath;

namespace VisionAgent.Plugins.Detect.Tests;

public sealed class TensorMathTests
{
    [Fact]
    public void Nms_keeps_the_best_of_overlapping_boxes_per_class()
    {
        ScoredBox[] boxes =
        [
            new(0, 0, 10, 10, 0.5f, 0),
            new(1, 1, 11, 11, 0.9f, 0),   // IoU 0.68 with the first
            new(0, 0, 10, 10, 0.7f, 1),   // other class: kept
            new(20, 20, 30, 30, 0.6f, 0), // no overlap: kept
        ];

        var kept = NonMaxSuppression.Apply(boxes, iouThreshold: 0.5f);

        Assert.Equal([1, 2, 3], kept);
    }

    [Fact]
    public void Nms_without_classes_suppresses_across_classes_and_stops_at_the_maximum()
    {
        ScoredBox[] boxes = [new(0, 0, 10, 10, 0.5f, 0), new(0, 0, 10, 10, 0.7f, 1), new(20, 20, 30, 30, 0.6f, 0), new(40, 40, 50, 50, 0.1f, 0)];

        Assert.Equal([1, 2, 3], NonMaxSuppression.Apply(boxes, 0.5f, classAware: false));
        Assert.Equal([1, 2], NonMaxSuppression.Apply(boxes, 0.5f, maxKept: 2, classAware: false));
    }

    [Fact]
    public void Nms_orders_equal_scores_by_index()
    {
        ScoredBox[] boxes = [new(0, 0, 1, 1, 0.5f, 0), new(5, 5, 6, 6, 0.5f, 0), new(9, 9, 10, 10, 0.5f, 0)];

        Assert.Equal([0, 1, 2], NonMaxSuppression.Apply(boxes, 0.5f));
    }

    [Fact]
    public void Nms_matches_the_quadratic_reference_on_random_boxes()
    {
        var random = new Random(7);
        var boxes = new ScoredBox[2000];
        for (var i = 0; i < boxes.Length; i++)
        {
            var x = random.NextSingle() * 600;
            var y = random.NextSingle() * 600;
            // Every 50th box is huge, so the index's many-cell path is exercised too.
            var size = i % 50 == 0 ? 400 : 20;
            boxes[i] = new ScoredBox(x, y, x + size + (random.NextSingle() * 80), y + size + (random.NextSingle() * 80), random.NextSingle(), random.Next(5));
        }

        var kept = NonMaxSuppression.Apply(boxes, 0.45f);
        var keptAcrossClasses = NonMaxSuppression.Apply(boxes, 0.3f, classAware: false);

        Assert.Equal(Reference(boxes, 0.45f, classAware: true), kept);
        Assert.Equal(Reference(boxes, 0.3f, classAware: false), keptAcrossClasses);
    }

    [Fact]
    public void TopK_returns_the_largest_first_with_ties_by_index()
    {
        float[] values = [0.1f, 0.9f, 0.3f, 0.9f, -2f, 0.5f];

        Assert.Equal([1, 3, 5], TopK.Indices(values, 3));
        Assert.Equal([1, 3, 5, 2, 0, 4], TopK.Indices(values, 10));
        Assert.Empty(TopK.Indices(values, 0));
    }

    [Fact]
    public void Softmax_and_log_softmax_agree_and_survive_large_logits()
    {
        float[] probabilities = [1000f, 1000f + MathF.Log(3f)];
        float[] logs = [1000f, 1000f + MathF.Log(3f)];

        Activations.Softmax(probabilities);
        Activations.LogSoftmax(logs);

        Assert.Equal(0.25f, probabilities[0], 5);
        Assert.Equal(0.75f, probabilities[1], 5);
        Assert.Equal(MathF.Log(0.25f), logs[0], 4);
        Assert.Equal(0.5f, Activations.Sigmoid(0f));
        Assert.Equal(1, Activations.ArgMax(probabilities));
    }

    // Textbook NMS: repeatedly take the best remaining box and drop every same-class box overlapping it.
    private static int[] Reference(ScoredBox[] boxes, float threshold, bool classAware)
    {
        var remaining = Enumerable.Range(0, boxes.Length).OrderByDescending(i => boxes[i].Score).ThenBy(i => i).ToList();
        var kept = new List<int>();
        while (remaining.Count > 0)
        {
            var best = remaining[0];
            kept.Add(best);
            remaining = remaining.Skip(1)
                .Where(i => (classAware && boxes[i].ClassId != boxes[best].ClassId) || NonMaxSuppression.IntersectionOverUnion(boxes[i], boxes[best]) <= threshold)
                .ToList();
        }
        return [.. kept];
    }
}
