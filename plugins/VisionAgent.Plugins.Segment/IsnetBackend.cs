using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Masks;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Segment;

/// <summary>Salient-object masks with ISNet (the DIS project's model): no prompt, one mask of what stands out.</summary>
public sealed class IsnetBackend(ExpertContext context, SegmentSettings settings)
{
    public const string ModelName = "isnet";

    /// <summary>The salient-object mask of the whole image, at its size.</summary>
    public async Task<BinaryMask> SegmentAsync(Image<Rgb24> image, float threshold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var session = await SessionAsync(cancellationToken);
        var scores = Run(session, image, cancellationToken);
        return MaskResampler.ResizeToMask(scores, settings.IsnetSize, settings.IsnetSize, image.Width, image.Height, threshold);
    }

    /// <summary>
    /// The salient object inside <paramref name="box"/> (grown by a margin so the object's edge is seen): the fallback
    /// for a box prompt when no SAM weights are installed. Pixels outside the box stay outside.
    /// </summary>
    public async Task<BinaryMask> SegmentBoxAsync(Image<Rgb24> image, PixelBox box, float threshold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var session = await SessionAsync(cancellationToken);
        var inner = box.ClampTo(image.Width, image.Height);
        var marginX = inner.Width * 0.1f;
        var marginY = inner.Height * 0.1f;
        var x1 = (int)MathF.Floor(MathF.Max(0, inner.X1 - marginX));
        var y1 = (int)MathF.Floor(MathF.Max(0, inner.Y1 - marginY));
        var x2 = (int)MathF.Ceiling(MathF.Min(image.Width, inner.X2 + marginX));
        var y2 = (int)MathF.Ceiling(MathF.Min(image.Height, inner.Y2 + marginY));
        if (x2 - x1 < 2 || y2 - y1 < 2) return BinaryMask.Empty(image.Width, image.Height);
        using var crop = image.Clone(c => c.Crop(new Rectangle(x1, y1, x2 - x1, y2 - y1)));
        var scores = Run(session, crop, cancellationToken);
        var local = MaskResampler.ResizeToMask(scores, settings.IsnetSize, settings.IsnetSize, crop.Width, crop.Height, threshold);
        var pixels = new byte[image.Width * image.Height];
        int bx1 = (int)MathF.Floor(inner.X1), by1 = (int)MathF.Floor(inner.Y1), bx2 = (int)MathF.Ceiling(inner.X2), by2 = (int)MathF.Ceiling(inner.Y2);
        for (var y = by1; y < by2; y++)
        {
            var source = local.Row(y - y1).Slice(bx1 - x1, bx2 - bx1);
            source.CopyTo(pixels.AsSpan((y * image.Width) + bx1, bx2 - bx1));
        }
        return new BinaryMask(image.Width, image.Height, pixels);
    }

    private async Task<InferenceSession> SessionAsync(CancellationToken cancellationToken)
    {
        var path = await context.Models.GetPathAsync(context.Manifest.Name, ModelName, cancellationToken);
        return context.GetRequiredService<OnnxSessionPool>().Get(path);
    }

    private float[] Run(InferenceSession session, Image<Rgb24> image, CancellationToken cancellationToken)
    {
        var size = settings.IsnetSize;
        context.Progress?.Report(new ExpertProgress(context.Manifest.Name, "salient-object mask", 0, 1));
        using var input = OnnxTensors.FromArray(IsnetPreprocessor.ToInput(image, size), 1, 3, size, size);
        // The export has eleven side outputs besides the final map: asking only for this one skips copying them.
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { [settings.IsnetInput] = input }, [settings.IsnetOutput], cancellationToken);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        if (scores.Length != size * size)
            throw new BadInputException($"the ISNet model's output '{settings.IsnetOutput}' has {scores.Length} values, not {size}x{size}");
        context.Progress?.Report(new ExpertProgress(context.Manifest.Name, "salient-object mask", 1, 1));
        return scores.ToArray();
    }
}
