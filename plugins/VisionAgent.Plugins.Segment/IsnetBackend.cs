using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Masks;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Segment;

/// <summary>
/// ISNet's input tensor for an image, or for a window of it, made while the decoded pixels are at hand so they can be
/// released before the model runs. <see cref="Keep"/> (box prompts) limits the mask to the box itself.
/// </summary>
public sealed record IsnetInput(float[] Tensor, int ImageWidth, int ImageHeight, Rectangle Window, Rectangle? Keep);

/// <summary>Salient-object masks with ISNet (the DIS project's model): no prompt, one mask of what stands out.</summary>
public sealed class IsnetBackend(ExpertContext context, SegmentSettings settings)
{
    public const string ModelName = "isnet";

    /// <summary>The uint8-quantised file of the same network, an option for small machines.</summary>
    public const string SmallModelName = "isnet_small";

    /// <summary>The input for the whole image.</summary>
    public IsnetInput Prepare(Image<Rgb24> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new IsnetInput(IsnetPreprocessor.ToInput(image, settings.IsnetSize), image.Width, image.Height, new Rectangle(0, 0, image.Width, image.Height), null);
    }

    /// <summary>
    /// The input for the salient object inside <paramref name="box"/> (grown by a margin so the object's edge is seen):
    /// the fallback for a box prompt when no SAM weights are installed. Null when the box is too small to look into.
    /// </summary>
    public IsnetInput? Prepare(Image<Rgb24> image, PixelBox box)
    {
        ArgumentNullException.ThrowIfNull(image);
        var inner = box.ClampTo(image.Width, image.Height);
        var marginX = inner.Width * 0.1f;
        var marginY = inner.Height * 0.1f;
        var x1 = (int)MathF.Floor(MathF.Max(0, inner.X1 - marginX));
        var y1 = (int)MathF.Floor(MathF.Max(0, inner.Y1 - marginY));
        var x2 = (int)MathF.Ceiling(MathF.Min(image.Width, inner.X2 + marginX));
        var y2 = (int)MathF.Ceiling(MathF.Min(image.Height, inner.Y2 + marginY));
        if (x2 - x1 < 2 || y2 - y1 < 2) return null;
        var window = new Rectangle(x1, y1, x2 - x1, y2 - y1);
        int bx1 = (int)MathF.Floor(inner.X1), by1 = (int)MathF.Floor(inner.Y1), bx2 = (int)MathF.Ceiling(inner.X2), by2 = (int)MathF.Ceiling(inner.Y2);
        using var crop = image.Clone(c => c.Crop(window));
        return new IsnetInput(IsnetPreprocessor.ToInput(crop, settings.IsnetSize), image.Width, image.Height, window, new Rectangle(bx1, by1, bx2 - bx1, by2 - by1));
    }

    /// <summary>The salient-object mask at the image's size (for a box: outside the box stays outside).</summary>
    public async Task<BinaryMask> SegmentAsync(IsnetInput input, float threshold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var session = await SessionAsync(cancellationToken);
        var size = settings.IsnetSize;
        var scores = Run(session, input.Tensor, cancellationToken);
        var window = input.Window;
        if (input.Keep is null && window.Width == input.ImageWidth && window.Height == input.ImageHeight)
            return MaskResampler.ResizeToMask(scores, size, size, input.ImageWidth, input.ImageHeight, threshold);

        var local = MaskResampler.ResizeToMask(scores, size, size, window.Width, window.Height, threshold);
        var keep = Rectangle.Intersect(input.Keep ?? window, window);
        var pixels = new byte[checked(input.ImageWidth * input.ImageHeight)];
        for (var y = keep.Top; y < keep.Bottom; y++)
        {
            var source = local.Row(y - window.Y).Slice(keep.X - window.X, keep.Width);
            source.CopyTo(pixels.AsSpan((y * input.ImageWidth) + keep.X, keep.Width));
        }
        return new BinaryMask(input.ImageWidth, input.ImageHeight, pixels);
    }

    private async Task<InferenceSession> SessionAsync(CancellationToken cancellationToken)
    {
        var path = await context.Models.GetPathAsync(context.Manifest.Name, settings.IsnetModel, cancellationToken);
        return context.GetRequiredService<OnnxSessionPool>().Get(path, settings.IsnetSession);
    }

    private float[] Run(InferenceSession session, float[] tensor, CancellationToken cancellationToken)
    {
        var size = settings.IsnetSize;
        context.Progress?.Report(new ExpertProgress(context.Manifest.Name, "salient-object mask", 0, 1));
        using var input = OnnxTensors.FromArray(tensor, 1, 3, size, size);
        // The export has eleven side outputs besides the final map: asking only for this one skips copying them.
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { [settings.IsnetInput] = input }, [settings.IsnetOutput], cancellationToken);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        if (scores.Length != size * size)
            throw new BadInputException($"the ISNet model's output '{settings.IsnetOutput}' has {scores.Length} values, not {size}x{size}");
        context.Progress?.Report(new ExpertProgress(context.Manifest.Name, "salient-object mask", 1, 1));
        return scores.ToArray();
    }
}
