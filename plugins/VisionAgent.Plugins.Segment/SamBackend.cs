using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Masks;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Segment;

/// <summary>The decoder's answer: the chosen mask at the image's size, its predicted IoU, and every prediction.</summary>
public sealed record SamDecoding(BinaryMask Mask, int BestIndex, IReadOnlyList<float> IouPredictions, bool EmbeddingCached);

/// <summary>
/// Promptable segmentation with SAM-format ONNX models: an image encoder (embedding cached per image) and the prompt
/// decoder in the official export's format (segment-anything <c>scripts/export_onnx_model.py</c>).
/// </summary>
public sealed class SamBackend(ExpertContext context, SegmentSettings settings)
{
    private readonly SamEmbeddingCache _cache = new(settings.EmbeddingCacheSize);
    private int _encoderRuns;

    /// <summary>How many times an image encoder ran (a prompt on a cached image adds none).</summary>
    public int EncoderRuns => Volatile.Read(ref _encoderRuns);

    public SamEmbeddingCache Cache => _cache;

    public static string EncoderModel(string group) => group + "_encoder";

    public static string DecoderModel(string group) => group + "_decoder";

    /// <summary>The first configured SAM group whose encoder and decoder are both installed, or null.</summary>
    public string? InstalledGroup() =>
        settings.SamModels.FirstOrDefault(g =>
            context.Models.IsAvailable(context.Manifest.Name, EncoderModel(g)) &&
            context.Models.IsAvailable(context.Manifest.Name, DecoderModel(g)));

    /// <summary>Frees the encoder sessions (the large half); the next prompt on a new image loads them again.</summary>
    public async Task<int> UnloadEncodersAsync(CancellationToken cancellationToken)
    {
        var pool = context.GetRequiredService<OnnxSessionPool>();
        var unloaded = 0;
        foreach (var group in settings.SamModels)
        {
            if (!context.Models.IsAvailable(context.Manifest.Name, EncoderModel(group))) continue;
            var path = await context.Models.GetPathAsync(context.Manifest.Name, EncoderModel(group), cancellationToken);
            if (pool.Unload(path)) unloaded++;
        }
        return unloaded;
    }

    /// <summary>
    /// The mask for <paramref name="prompt"/> on an image of <paramref name="width"/>x<paramref name="height"/>:
    /// <paramref name="loadImage"/> is called only when the image's embedding is not cached, and its pixels are
    /// released before the encoder runs.
    /// </summary>
    public async Task<SamDecoding> SegmentAsync(
        ImageRecord record, int width, int height, Func<Image<Rgb24>> loadImage, SegmentPrompt prompt, string group, float threshold,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(loadImage);
        ArgumentNullException.ThrowIfNull(prompt);
        var pool = context.GetRequiredService<OnnxSessionPool>();
        var encoderPath = await context.Models.GetPathAsync(context.Manifest.Name, EncoderModel(group), cancellationToken);
        var decoderPath = await context.Models.GetPathAsync(context.Manifest.Name, DecoderModel(group), cancellationToken);
        var frame = SamImageFrame.For(width, height, settings.SamSize);

        var key = SamEmbeddingCache.KeyFor(Path.GetFullPath(encoderPath), record.Handle, record.Path);
        var cached = _cache.TryGet(key, out var embedding);
        if (!cached)
        {
            context.Progress?.Report(new ExpertProgress(context.Manifest.Name, "encoding image", 0, 1));
            embedding = Encode(pool.Get(encoderPath, settings.SamSession), loadImage, frame, cancellationToken);
            Interlocked.Increment(ref _encoderRuns);
            _cache.Add(key, embedding);
            context.Progress?.Report(new ExpertProgress(context.Manifest.Name, "encoding image", 1, 1));
        }
        return Decode(pool.Get(decoderPath, settings.SamSession), embedding, prompt, frame, threshold, cached, cancellationToken);
    }

    private SamEmbedding Encode(InferenceSession session, Func<Image<Rgb24>> loadImage, SamImageFrame frame, CancellationToken cancellationToken)
    {
        var inputName = settings.SamEncoderInput ?? session.InputMetadata.Keys.SingleOrDefault()
            ?? throw new BadInputException($"the SAM encoder has {session.InputMetadata.Count} inputs; name the image input with the segment setting sam_encoder_input");
        if (!session.InputMetadata.TryGetValue(inputName, out var metadata))
            throw new BadInputException($"the SAM encoder has no input '{inputName}' (it has {string.Join(", ", session.InputMetadata.Keys)})");
        var layout = settings.SamEncoderLayout != SamEncoderLayout.Auto
            ? settings.SamEncoderLayout
            : metadata.Dimensions.Length switch
            {
                4 => SamEncoderLayout.Nchw,
                3 => SamEncoderLayout.Hwc,
                var rank => throw new BadInputException($"the SAM encoder input '{inputName}' has rank {rank}; set sam_encoder_layout to nchw or hwc"),
            };
        var size = frame.Size;
        float[] tensor;
        using (var image = loadImage())
        {
            if (image.Width != frame.OriginalWidth || image.Height != frame.OriginalHeight)
                throw new BadInputException($"the image changed while it was segmented (now {image.Width}x{image.Height}, was {frame.OriginalWidth}x{frame.OriginalHeight})");
            tensor = layout == SamEncoderLayout.Nchw
                ? SamPreprocessor.ToNchw(image, frame, settings.SamPixelMean, settings.SamPixelStd)
                : SamPreprocessor.ToHwc(image, frame);
        }
        using var input = layout == SamEncoderLayout.Nchw
            ? OnnxTensors.FromArray(tensor, 1, 3, size, size)
            : OnnxTensors.FromArray(tensor, size, size, 3);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { [inputName] = input }, [settings.SamEncoderOutput], cancellationToken);
        var output = outputs[0];
        return new SamEmbedding(output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    private static SamDecoding Decode(
        InferenceSession session, SamEmbedding embedding, SegmentPrompt prompt, SamImageFrame frame, float threshold, bool cached, CancellationToken cancellationToken)
    {
        var (coordinates, labels) = prompt.Encode(frame);
        var count = labels.Length;
        using var embeddings = OrtValue.CreateTensorValueFromMemory(embedding.Values, embedding.Shape);
        using var pointCoords = OnnxTensors.FromArray(coordinates, 1, count, 2);
        using var pointLabels = OnnxTensors.FromArray(labels, 1, count);
        using var maskInput = OnnxTensors.FromArray(new float[256 * 256], 1, 1, 256, 256);
        using var hasMaskInput = OnnxTensors.FromArray(new float[] { 0 }, 1);
        // The decoder upsamples its masks to orig_im_size as its last step. An image larger than the model's frame gets
        // them at the frame's size instead (the same masks before that step) and is upsampled here, straight into the
        // binary mask: K full-size float maps of a large photo would cost gigabytes.
        var (maskWidth, maskHeight) = Math.Max(frame.OriginalWidth, frame.OriginalHeight) > frame.Size
            ? (frame.ResizedWidth, frame.ResizedHeight)
            : (frame.OriginalWidth, frame.OriginalHeight);
        using var originalSize = OnnxTensors.FromArray(new float[] { maskHeight, maskWidth }, 2);
        var inputs = new Dictionary<string, OrtValue>
        {
            ["image_embeddings"] = embeddings,
            ["point_coords"] = pointCoords,
            ["point_labels"] = pointLabels,
            ["mask_input"] = maskInput,
            ["has_mask_input"] = hasMaskInput,
            ["orig_im_size"] = originalSize,
        };
        using var outputs = OnnxTensors.Run(session, inputs, ["masks", "iou_predictions"], cancellationToken);
        var masks = outputs[0];
        var shape = masks.GetTensorTypeAndShape().Shape;
        if (shape.Length != 4)
            throw new BadInputException($"the SAM decoder's masks output has rank {shape.Length}, not 4 ([1,K,H,W])");
        int k = (int)shape[1], height = (int)shape[2], width = (int)shape[3];
        var ious = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        if (ious.Length != k)
            throw new BadInputException($"the SAM decoder returned {k} masks but {ious.Length} IoU predictions");
        var best = 0;
        for (var i = 1; i < k; i++)
        {
            if (ious[i] > ious[best]) best = i;
        }
        var logit = MathF.Log(threshold / (1 - threshold));
        var plane = masks.GetTensorDataAsSpan<float>().Slice(best * width * height, width * height);
        var mask = MaskResampler.ResizeToMask(plane, width, height, frame.OriginalWidth, frame.OriginalHeight, logit);
        return new SamDecoding(mask, best, ious, cached);
    }
}
