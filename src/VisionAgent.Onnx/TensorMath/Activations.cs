namespace VisionAgent.Onnx.TensorMath;

/// <summary>Element-wise activations on spans, in place, numerically stable.</summary>
public static class Activations
{
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    public static void Sigmoid(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++) values[i] = Sigmoid(values[i]);
    }

    /// <summary>Softmax in place (the maximum is subtracted first so large logits do not overflow).</summary>
    public static void Softmax(Span<float> values)
    {
        if (values.IsEmpty) return;
        var max = Max(values);
        var sum = 0f;
        for (var i = 0; i < values.Length; i++)
        {
            var e = MathF.Exp(values[i] - max);
            values[i] = e;
            sum += e;
        }
        var inverse = 1f / sum;
        for (var i = 0; i < values.Length; i++) values[i] *= inverse;
    }

    /// <summary>log(sum(exp(v))), computed without overflow: subtracting it from a logit gives its log-probability.</summary>
    public static float LogSumExp(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return float.NegativeInfinity;
        var max = Max(values);
        if (float.IsNegativeInfinity(max)) return max;
        var sum = 0f;
        for (var i = 0; i < values.Length; i++) sum += MathF.Exp(values[i] - max);
        return max + MathF.Log(sum);
    }

    /// <summary>Log-softmax in place: log probabilities that add up exactly in beam search.</summary>
    public static void LogSoftmax(Span<float> values)
    {
        if (values.IsEmpty) return;
        var max = Max(values);
        var sum = 0d;
        for (var i = 0; i < values.Length; i++) sum += Math.Exp(values[i] - max);
        var logSum = max + (float)Math.Log(sum);
        for (var i = 0; i < values.Length; i++) values[i] -= logSum;
    }

    /// <summary>The index of the largest value (the first on ties); -1 when empty.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < values.Length; i++)
        {
            if (best < 0 || values[i] > bestValue)
            {
                best = i;
                bestValue = values[i];
            }
        }
        return best;
    }

    public static float Max(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values) max = MathF.Max(max, v);
        return max;
    }
}
