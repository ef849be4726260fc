using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;

namespace VisionAgent.ExternalExperts.Classifier;

/// <summary>One class of a classifier's answer.</summary>
public sealed record ClassScore(int Index, string Label, float Probability);

/// <summary>What a classifier expert returns in <see cref="ExpertResult.Data"/>.</summary>
public sealed record ClassificationResult(string Image, IReadOnlyList<ClassScore> Top);

/// <summary>Classifier pre- and post-processing, shared by local (ONNX) and remote (inference server) classifiers.</summary>
public static class ClassifierProcessing
{
    private const int MaxLabelLength = 80;

    /// <summary>Resizes (stretching) and normalises an image into a [1,3,H,W] or [1,H,W,3] float tensor.</summary>
    public static (float[] Data, long[] Shape) Preprocess(string imagePath, ClassifierSettings settings, ImageLoader loader)
    {
        using var image = loader.LoadRgb(imagePath);
        image.Mutate(x => x.Resize(settings.Width, settings.Height));
        int w = settings.Width, h = settings.Height, plane = w * h;
        var data = new float[3 * plane];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < w; x++)
                {
                    Span<float> rgb = [row[x].R, row[x].G, row[x].B];
                    for (var c = 0; c < 3; c++)
                    {
                        var value = (rgb[c] / settings.Scale - settings.Mean[c]) / settings.Std[c];
                        var index = settings.ChannelsLast ? (y * w + x) * 3 + c : c * plane + y * w + x;
                        data[index] = value;
                    }
                }
            }
        });
        long[] shape = settings.ChannelsLast ? [1, h, w, 3] : [1, 3, h, w];
        return (data, shape);
    }

    /// <summary>Softmax over the scores, then the <paramref name="topK"/> best classes with their labels.</summary>
    public static IReadOnlyList<ClassScore> TopClasses(ReadOnlySpan<float> scores, IReadOnlyList<string> labels, int topK)
    {
        if (scores.Length == 0) throw new BadInputException("the classifier returned no scores");
        var max = float.NegativeInfinity;
        foreach (var s in scores) max = MathF.Max(max, s);
        var probabilities = new float[scores.Length];
        double sum = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            probabilities[i] = MathF.Exp(scores[i] - max);
            sum += probabilities[i];
        }
        return Enumerable.Range(0, scores.Length)
            .Select(i => new ClassScore(i, i < labels.Count ? labels[i] : $"class {i}", (float)(probabilities[i] / sum)))
            .OrderByDescending(c => c.Probability).ThenBy(c => c.Index)
            .Take(topK)
            .ToList();
    }

    /// <summary>Reads a labels file: one label per line; labels are untrusted text, so control characters go and length is capped.</summary>
    public static IReadOnlyList<string> ReadLabels(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new BadInputException($"labels file not found: {path}");
        if (info.Length > 8 * 1024 * 1024) throw new BadInputException($"labels file is too large: {path}");
        return File.ReadAllLines(path).Select(Clean).ToList();
    }

    public static string Clean(string label)
    {
        var cleaned = new string(label.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return cleaned.Length > MaxLabelLength ? cleaned[..MaxLabelLength] : cleaned;
    }

    public static ExpertResult ToResult(string handle, IReadOnlyList<ClassScore> top) => new()
    {
        Observation = $"{handle}: " + string.Join(", ", top.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Label} {c.Probability:0.00}"))),
        Data = new ClassificationResult(handle, top),
        ContainsUntrustedText = true,
    };
}
